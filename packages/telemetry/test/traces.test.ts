// Traces across three Shoal processes' telemetry (client → frontend → backend, each a Telemetry
// of its own) exported over OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT and decoded there with the
// real OTLP protos: one trace, parent links through W3C traceparent (and B3 headers alongside),
// the client span's attributes, an error status; and @grpc/grpc-js calling in with B3 headers only.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import {
  Code,
  createClient,
  GrpcTransport,
  Health,
  HealthCheckResponse_ServingStatus,
  RpcError,
  Server,
} from '@shoal/rpc';
import { createTelemetry, type Telemetry } from '../src/telemetry.js';
import { OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';

const CLIENT = 3;
const SERVER = 2;

describe('traces over OTLP/HTTP', () => {
  const receiver = new OtlpReceiver();
  const telemetries: Telemetry[] = [];
  const servers: Server[] = [];
  const transports: GrpcTransport[] = [];
  let frontendAddress = '';
  let url = '';
  const backendHeaders: Record<string, string>[] = [];

  const telemetry = (serviceName: string, env: Record<string, string>) => {
    const t = createTelemetry({ env, serviceName, spanProcessor: 'simple', node: { id: serviceName } });
    telemetries.push(t);
    return t;
  };

  before(async () => {
    url = await receiver.start();
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: url };
    const backendT = telemetry('backend', env);
    const backend = new Server({
      callTracer: backendT.server().callTracer(),
      interceptors: [backendT.server().interceptor()],
    });
    backend.register(Health, {
      check: (req, ctx) => {
        backendHeaders.push(ctx.requestHeader.toJSON() as Record<string, string>);
        if (req.service === 'fail') throw new RpcError(Code.FAILED_PRECONDITION, 'told to fail');
        return { status: HealthCheckResponse_ServingStatus.SERVING };
      },
    });
    servers.push(backend);
    const b = await backend.listen(0, '127.0.0.1');

    const frontendT = telemetry('frontend', env);
    const toBackend = new GrpcTransport({ address: `127.0.0.1:${b.port}` });
    transports.push(toBackend);
    const backendClient = createClient(Health, toBackend, {
      callTracer: frontendT.client(`dns:///127.0.0.1:${b.port}`).callTracer(),
    });
    const frontendServer = frontendT.server();
    const frontend = new Server({
      callTracer: frontendServer.callTracer(),
      interceptors: [frontendServer.interceptor()],
    });
    frontend.register(Health, { check: (req) => backendClient.check(req) });
    servers.push(frontend);
    const f = await frontend.listen(0, '127.0.0.1');
    frontendAddress = `127.0.0.1:${f.port}`;
  });

  after(async () => {
    for (const t of transports) t.close();
    await Promise.all(servers.map((s) => s.close(0)));
    await Promise.all(telemetries.map((t) => t.close()));
    await receiver.stop();
  });

  const spansOf = async (traceId: string, n: number) => {
    const deadline = Date.now() + 5000;
    for (;;) {
      await Promise.all(telemetries.map((t) => t.flush()));
      const spans = receiver.spans.filter((s) => s.traceId === traceId);
      if (spans.length >= n || Date.now() > deadline) return spans;
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('links client, frontend and backend spans into one trace, with W3C and B3 headers', async () => {
    // The client names the traces endpoint itself (the signal-specific variable).
    const t = telemetry('client', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${url}/v1/traces` });
    const transport = new GrpcTransport({ address: frontendAddress });
    transports.push(transport);
    const client = createClient(Health, transport, {
      callTracer: t.client(`dns:///${frontendAddress}`).callTracer(),
    });
    backendHeaders.length = 0;
    await client.check({ service: '' });
    await t.flush();
    const clientSpan = receiver.spans.find((s) => s.serviceName === 'client' && s.kind === CLIENT);
    assert.ok(clientSpan, 'the client span was exported');
    const trace = await spansOf(clientSpan.traceId, 4);
    const by = (service: string, kind: number) =>
      trace.find((s) => s.serviceName === service && s.kind === kind) as ReceivedSpan;
    const frontendServer = by('frontend', SERVER);
    const frontendClient = by('frontend', CLIENT);
    const backendServer = by('backend', SERVER);
    assert.equal(frontendServer.parentSpanId, clientSpan.spanId);
    assert.equal(frontendClient.parentSpanId, frontendServer.spanId, 'the handler’s call is a child');
    assert.equal(backendServer.parentSpanId, frontendClient.spanId);
    for (const s of trace) assert.equal(s.name, 'grpc.health.v1.Health/Check');

    assert.equal(clientSpan.attributes['rpc.system'], 'grpc');
    assert.equal(clientSpan.attributes['rpc.service'], 'grpc.health.v1.Health');
    assert.equal(clientSpan.attributes['rpc.method'], 'Check');
    assert.equal(clientSpan.attributes['shoal.endpoint'], frontendAddress);
    assert.equal(clientSpan.attributes['server.address'], '127.0.0.1');
    assert.equal(clientSpan.attributes['shoal.retries'], 0);
    assert.equal(clientSpan.attributes['rpc.grpc.status_code'], 0);

    const seen = backendHeaders[0]!;
    assert.match(
      seen.traceparent ?? '',
      new RegExp(`^00-${clientSpan.traceId}-${frontendClient.spanId}-01$`),
    );
    assert.equal(seen['x-b3-traceid'], clientSpan.traceId);
    assert.equal(seen['x-b3-spanid'], frontendClient.spanId);
    assert.equal(seen['x-b3-sampled'], '1');
    assert.ok(receiver.requests.every((r) => r.path === '/v1/traces'));
    assert.ok(receiver.requests.every((r) => r.contentType === 'application/x-protobuf'));

    await assert.rejects(client.check({ service: 'fail' }));
    await t.flush();
    const failed = receiver.spans.filter((s) => s.serviceName === 'client' && s.kind === CLIENT).at(-1)!;
    assert.equal(failed.status.code, 2, 'ERROR');
    assert.equal(failed.attributes['rpc.grpc.status_code'], Code.FAILED_PRECONDITION);
  });

  it('joins a trace that grpc-js started with B3 headers only', async () => {
    const ctor = grpc.makeGenericClientConstructor({}, 'B3');
    const peer = new ctor(frontendAddress, grpc.credentials.createInsecure());
    const traceId = '80f198ee56343ba864fe8b2a57d3eff7';
    const parent = 'e457b5a2e4d86bd1';
    const md = new grpc.Metadata();
    md.set('x-b3-traceid', traceId);
    md.set('x-b3-spanid', parent);
    md.set('x-b3-sampled', '1');
    await new Promise((resolve, reject) =>
      peer.makeUnaryRequest(
        '/grpc.health.v1.Health/Check',
        (m: Buffer) => m,
        (b: Buffer) => b,
        Buffer.alloc(0),
        md,
        (err, res) => (err ? reject(err) : resolve(res)),
      ),
    );
    peer.close();
    const trace = await spansOf(traceId, 3);
    const server = trace.find((s) => s.serviceName === 'frontend' && s.kind === SERVER);
    assert.equal(server?.parentSpanId, parent);
    const backend = trace.find((s) => s.serviceName === 'backend' && s.kind === SERVER);
    assert.equal(backend?.traceId, traceId, 'propagated to the next hop');
  });
});
