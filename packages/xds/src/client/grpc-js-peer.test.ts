// Against peers no one here wrote: an ADS server on @grpc/grpc-js speaking Envoy's real .proto files
// (loaded with @grpc/proto-loader from @grpc/grpc-js-xds's copy) feeds this client, and a grpc-js
// client reads this client's CSDS with Envoy's real csds.proto. Field names and numbers, the ADS
// method path, ACK/NACK and node identity are checked from the peer's side.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as loader from '@grpc/proto-loader';
import { Server } from '@shoal/rpc';
import { loadRealEnvoy } from '../../test/real-envoy.js';
import { WatchRecorder } from '../../test/watch-recorder.js';
import { parseBootstrap } from '../bootstrap.js';
import { registerCsds } from '../csds/csds-service.js';
import type { XdsClusterLoadAssignment } from '../resources/cluster-load-assignment.js';
import { CLUSTER_LOAD_ASSIGNMENT_TYPE_URL as EDS } from '../type-urls.js';
import { createXdsClient } from './create-xds-client.js';
import type { XdsClient } from './xds-client.js';

// biome-ignore lint/suspicious/noExplicitAny: proto-loader objects are untyped
type Json = any;

const require = createRequire(import.meta.url);
const deps = join(dirname(require.resolve('@grpc/grpc-js-xds')), '..', '..', 'deps');

function loadPeerProtos(): Json {
  const definition = loader.loadSync(
    ['envoy/service/discovery/v3/ads.proto', 'envoy/service/status/v3/csds.proto'],
    {
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
      includeDirs: ['envoy-api', 'googleapis', 'protoc-gen-validate', 'xds'].map((d) => join(deps, d)),
    },
  );
  return grpc.loadPackageDefinition(definition);
}

describe('@grpc/grpc-js peers with Envoy protos', () => {
  const envoy = loadRealEnvoy();
  const CLA = envoy.lookupType('envoy.config.endpoint.v3.ClusterLoadAssignment');
  const peer = loadPeerProtos();
  const requests: Json[] = [];
  const server = new grpc.Server();
  let port = 0;
  let nonce = 0;
  let xds: XdsClient;
  const admin = new Server({ onError: () => {} });
  let adminPort = 0;

  const claAny = (cluster: string, portValue: number) => ({
    type_url: EDS,
    value: Buffer.from(
      CLA.encode(
        CLA.fromObject({
          cluster_name: cluster,
          endpoints: [
            {
              load_balancing_weight: { value: 1 },
              lb_endpoints: [
                { endpoint: { address: { socket_address: { address: '10.0.0.1', port_value: portValue } } } },
              ],
            },
          ],
        }),
      ).finish(),
    ),
  });

  before(async () => {
    server.addService(peer.envoy.service.discovery.v3.AggregatedDiscoveryService.service, {
      StreamAggregatedResources(call: Json) {
        let names = '';
        call.on('data', (request: Json) => {
          requests.push(request);
          // Answer new subscriptions; an ACK or NACK of the same names gets no answer.
          const now = request.resource_names.join();
          if (request.response_nonce !== '' && now === names) return;
          names = now;
          const bad = requests.length > 1;
          call.write({
            version_info: bad ? 'v2' : 'v1',
            type_url: EDS,
            nonce: String(++nonce),
            resources: [claAny('reviews', bad ? 70000 : 9080)],
          });
        });
        call.on('end', () => call.end());
        call.on('error', () => {});
      },
    });
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    xds = createXdsClient({
      bootstrap: parseBootstrap({
        xds_servers: [{ server_uri: `127.0.0.1:${port}`, channel_creds: [{ type: 'insecure' }] }],
        node: {
          id: 'sidecar~10.0.0.7~reviews-v1.default~default.svc.cluster.local',
          metadata: { GENERATOR: 'grpc' },
        },
      }),
    });
    registerCsds(admin, xds);
    adminPort = (await admin.listen(0)).port;
  });
  after(async () => {
    await xds.close();
    await admin.close(0);
    server.forceShutdown();
  });

  it('takes resources from a grpc-js ADS server and ACKs them as Envoy defines', async () => {
    const w = new WatchRecorder<XdsClusterLoadAssignment>();
    xds.watch(EDS, 'reviews', w);
    const e = await w.event(0);
    assert.ok(e.kind === 'update');
    assert.equal(e.value.localities[0]?.endpoints[0]?.address.port, 9080);
    for (const deadline = Date.now() + 3000; requests.length < 2 && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const [first, ack] = requests;
    assert.equal(first.node.id, 'sidecar~10.0.0.7~reviews-v1.default~default.svc.cluster.local');
    assert.equal(first.node.user_agent_name, 'shoal-node');
    assert.equal(first.node.user_agent_version, '0.1.0');
    assert.deepEqual(first.node.metadata.fields.GENERATOR, { stringValue: 'grpc', kind: 'stringValue' });
    assert.deepEqual(first.resource_names, ['reviews']);
    assert.equal(first.type_url, EDS);
    assert.equal(ack.version_info, 'v1');
    assert.equal(ack.response_nonce, '1');
    assert.equal(ack.error_detail, null);
  });

  it('NACKs a bad resource with a google.rpc.Status the peer reads, and CSDS shows it to a grpc-js client', async () => {
    // Re-subscribing with a second watch name makes the peer answer again, this time with a bad port.
    xds.watch(EDS, 'ratings', new WatchRecorder());
    for (
      const deadline = Date.now() + 3000;
      !requests.some((r) => r.error_detail) && Date.now() < deadline;
    ) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const nack = requests.find((r) => r.error_detail);
    assert.ok(nack, 'a NACK');
    assert.equal(nack.version_info, 'v1');
    assert.equal(nack.error_detail.code, 3);
    assert.match(
      nack.error_detail.message,
      /^cluster_load_assignment\[reviews\]: endpoints\[0\]\.lb_endpoints\[0\]/,
    );

    const csds = new peer.envoy.service.status.v3.ClientStatusDiscoveryService(
      `127.0.0.1:${adminPort}`,
      grpc.credentials.createInsecure(),
    );
    const response: Json = await new Promise((resolve, reject) =>
      csds.FetchClientStatus({}, (e: Error | null, r: Json) => (e ? reject(e) : resolve(r))),
    );
    csds.close();
    const configs = response.config[0].generic_xds_configs;
    const reviews = configs.find((c: Json) => c.name === 'reviews');
    assert.equal(response.config[0].node.id, 'sidecar~10.0.0.7~reviews-v1.default~default.svc.cluster.local');
    assert.equal(reviews.client_status, 'NACKED');
    assert.equal(reviews.version_info, 'v1');
    assert.equal(reviews.xds_config.type_url, EDS);
    assert.equal(CLA.decode(reviews.xds_config.value).toJSON().cluster_name, 'reviews');
    assert.equal(reviews.error_state.version_info, 'v2');
    assert.match(reviews.error_state.details, /port_value/);
    assert.equal(configs.find((c: Json) => c.name === 'ratings').client_status, 'REQUESTED');
  });
});
