// Telemetry on real calls between a Shoal client and server (the standard Health service), and
// with @grpc/grpc-js as the client playing an Envoy sidecar's part in the metadata exchange (its
// header encoded by protobufjs): gRFC A66's instruments with their names, attributes and
// buckets, `other` for unknown methods, and Istio's istio_* with both reporters' labels filled
// from each other's metadata, read back from the Prometheus text.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { Code, createClient, GrpcTransport, Health, type RpcError, Server } from '@shoal/rpc';
import protobuf from 'protobufjs';
import { A66_LATENCY_BUCKETS, ENVOY_DEFAULT_BUCKETS } from '../src/instrument-names.js';
import { PEER_METADATA_HEADER, PEER_METADATA_ID_HEADER } from '../src/peer-metadata.js';
import { type Sample, samples } from '../src/prometheus-text.js';
import { createTelemetry } from '../src/telemetry.js';

const Struct = protobuf.Root.fromJSON(protobuf.common.get('google/protobuf/struct.proto')!).lookupType(
  'google.protobuf.Struct',
);

describe('telemetry on real calls', () => {
  const serverTelemetry = createTelemetry({
    node: {
      id: 'sidecar~127.0.0.1~greeter-v2-abc.shop~shop.svc.cluster.local',
      metadata: { NAMESPACE: 'shop', SHOAL_APP: 'greeter', SHOAL_LABELS: { version: 'v2' } },
    },
    env: {},
  });
  const clientTelemetry = createTelemetry({
    node: { id: 'frontend-1', metadata: { NAMESPACE: 'shop', LABELS: { app: 'frontend', version: 'v1' } } },
    env: {},
  });
  const st = serverTelemetry.server();
  const server = new Server({
    standardServices: true,
    callTracer: st.callTracer(),
    interceptors: [st.interceptor()],
  });
  let address = '';

  before(async () => {
    const a = await server.listen(0, '127.0.0.1');
    address = `127.0.0.1:${a.port}`;
  });
  after(async () => {
    await server.close(0);
    await serverTelemetry.close();
    await clientTelemetry.close();
  });

  it('records A66 and Istio metrics on both sides, with peer labels from metadata exchange', async () => {
    const transport = new GrpcTransport({ address });
    const target = `dns:///${address}`;
    const client = createClient(Health, transport, {
      callTracer: clientTelemetry.client(target).callTracer(),
    });
    for (let i = 0; i < 3; i++) await client.check({ service: '' });
    await assert.rejects(client.check({ service: 'nope' }), (e: RpcError) => e.code === Code.NOT_FOUND);
    transport.close();

    const c = samples(await clientTelemetry.prometheus());
    const method = 'grpc.health.v1.Health/Check';
    const started = c.find((s) => s.name === 'grpc_client_attempt_started_total');
    assert.deepEqual(started?.labels, { grpc_method: method, grpc_target: target });
    assert.equal(started?.value, 4);
    const ok = c.find((s) => s.name === 'grpc_client_call_duration_count' && s.labels.grpc_status === 'OK');
    assert.equal(ok?.value, 3);
    const notFound = c.find(
      (s) => s.name === 'grpc_client_attempt_duration_count' && s.labels.grpc_status === 'NOT_FOUND',
    );
    assert.equal(notFound?.value, 1);
    const les = c
      .filter((s) => s.name === 'grpc_client_attempt_duration_bucket' && s.labels.grpc_status === 'OK')
      .map((s) => s.labels.le);
    assert.deepEqual(les, [...A66_LATENCY_BUCKETS.map(String), '+Inf']);
    const sent = c.find(
      (s) =>
        s.name === 'grpc_client_attempt_sent_total_compressed_message_size_sum' &&
        s.labels.grpc_status === 'OK',
    );
    assert.equal(sent?.value, 0, 'an empty HealthCheckRequest is 0 bytes');
    const rcvd = c.find(
      (s) =>
        s.name === 'grpc_client_attempt_rcvd_total_compressed_message_size_sum' &&
        s.labels.grpc_status === 'OK',
    );
    assert.equal(rcvd?.value, 6, 'three 2-byte HealthCheckResponses');

    const src = c.filter((s) => s.name === 'istio_requests_total');
    assert.equal(src.length, 2);
    const okSrc = src.find((s) => s.labels.grpc_response_status === '0');
    assert.equal(okSrc?.value, 3);
    assert.deepEqual(okSrc?.labels, {
      reporter: 'source',
      source_workload: 'frontend-v1',
      source_workload_namespace: 'shop',
      source_principal: 'unknown',
      source_app: 'frontend',
      source_version: 'v1',
      source_canonical_service: 'frontend',
      source_canonical_revision: 'v1',
      source_cluster: 'Kubernetes',
      destination_workload: 'greeter-v2',
      destination_workload_namespace: 'shop',
      destination_principal: 'unknown',
      destination_app: 'greeter',
      destination_version: 'v2',
      destination_service: '127.0.0.1',
      destination_service_name: '127.0.0.1',
      destination_service_namespace: 'shop',
      destination_canonical_service: 'greeter',
      destination_canonical_revision: 'v2',
      destination_cluster: 'Kubernetes',
      request_protocol: 'grpc',
      response_code: '200',
      grpc_response_status: '0',
      response_flags: '-',
      connection_security_policy: 'unknown',
    });
    const durations = c
      .filter(
        (s) =>
          s.name === 'istio_request_duration_milliseconds_bucket' && s.labels.grpc_response_status === '0',
      )
      .map((s) => s.labels.le);
    assert.deepEqual(durations, [...ENVOY_DEFAULT_BUCKETS.map(String), '+Inf']);

    const s = samples(await serverTelemetry.prometheus());
    const dst = s.find((x) => x.name === 'istio_requests_total' && x.labels.grpc_response_status === '0');
    assert.equal(dst?.value, 3);
    assert.equal(dst?.labels.reporter, 'destination');
    assert.equal(dst?.labels.source_workload, 'frontend-v1');
    assert.equal(dst?.labels.source_app, 'frontend');
    assert.equal(dst?.labels.destination_workload, 'greeter-v2');
    assert.equal(dst?.labels.destination_service, 'greeter.shop.svc.cluster.local');
    assert.equal(dst?.labels.destination_service_name, 'greeter');
    assert.equal(dst?.labels.connection_security_policy, 'none');
    const served = s.find(
      (x) => x.name === 'grpc_server_call_duration_count' && x.labels.grpc_status === 'OK',
    );
    assert.deepEqual(served?.labels, { grpc_method: method, grpc_status: 'OK' });
    assert.equal(served?.value, 3);
  });

  it('exchanges metadata with grpc-js sending an Envoy-encoded header, and counts unknown methods as other', async () => {
    const ctor = grpc.makeGenericClientConstructor({}, 'Peer');
    const peer = new ctor(address, grpc.credentials.createInsecure());
    const mx = Struct.encode(
      Struct.fromObject({
        fields: {
          LABELS: {
            structValue: { fields: { app: { stringValue: 'envoy-app' }, version: { stringValue: 'v9' } } },
          },
          NAMESPACE: { stringValue: 'mesh' },
          WORKLOAD_NAME: { stringValue: 'envoy-app-v9' },
        },
      }),
    ).finish();
    const call = (path: string) =>
      new Promise<grpc.Metadata>((resolve, reject) => {
        const md = new grpc.Metadata();
        md.set(PEER_METADATA_HEADER, Buffer.from(mx).toString('base64'));
        md.set(PEER_METADATA_ID_HEADER, 'sidecar~10.1.1.1~envoy-app-v9-x.mesh~mesh.svc.cluster.local');
        let header: grpc.Metadata | undefined;
        const c = peer.makeUnaryRequest(
          path,
          (m: Buffer) => m,
          (b: Buffer) => b,
          Buffer.alloc(0),
          md,
          (err) =>
            err && err.code !== grpc.status.UNIMPLEMENTED ? reject(err) : resolve(header ?? err!.metadata),
        );
        c.on('metadata', (h) => (header = h));
      });
    const header = await call('/grpc.health.v1.Health/Check');
    const answer = Struct.toObject(
      Struct.decode(Buffer.from(String(header.get(PEER_METADATA_HEADER)[0]), 'base64')),
    ) as { fields: Record<string, { stringValue?: string }> };
    assert.equal(answer.fields.WORKLOAD_NAME?.stringValue, 'greeter-v2');
    assert.equal(
      header.get(PEER_METADATA_ID_HEADER)[0],
      'sidecar~127.0.0.1~greeter-v2-abc.shop~shop.svc.cluster.local',
    );
    const unknown = await call('/grpc.health.v1.Health/Nope');
    assert.equal(unknown.get(PEER_METADATA_HEADER).length, 1, 'answered on a Trailers-Only error too');
    peer.close();

    const s = samples(await serverTelemetry.prometheus());
    const fromEnvoy = s.find(
      (x: Sample) => x.name === 'istio_requests_total' && x.labels.source_workload === 'envoy-app-v9',
    );
    assert.equal(fromEnvoy?.labels.source_app, 'envoy-app');
    assert.equal(fromEnvoy?.labels.source_version, 'v9');
    assert.equal(fromEnvoy?.labels.source_workload_namespace, 'mesh');
    assert.equal(fromEnvoy?.labels.source_canonical_revision, 'latest');
    const other = s.find(
      (x) => x.name === 'grpc_server_call_started_total' && x.labels.grpc_method === 'other',
    );
    assert.equal(other?.value, 1);
    assert.ok(!s.some((x) => x.labels.grpc_method?.includes('Nope')), 'unknown methods never become labels');
  });
});
