// Telemetry's own CPU per client call, without a network or a server: an @shoal/rpc client with
// @shoal/telemetry's call tracer over a transport that answers at once, driving the A66 call and
// attempt tracers the way the mesh transport does (destination, a message each way, response
// headers with Istio's metadata exchange, end), 50 calls in flight. Printed beside the same
// client without the call tracer. What it leaves out on purpose (HTTP/2, GC of a real call's
// objects) is what the mesh suite's figure (e) measures in separate processes.
// Usage: node bench/dist/tools/telemetry-cost.js [calls per round, default 200000]

import { type CallRequest, createClient, Metadata, type UnaryResponse } from '@shoal/rpc/client';
import type { AttemptDestination } from '@shoal/rpc/plugins';
import { createTelemetry } from '@shoal/telemetry';
import { encodePeerMetadata, workloadFromNode } from '@shoal/telemetry/plugins';
import { BenchService } from '../gen/shoal/bench/v1/bench_pb.js';
import { echoRequest } from '../rpc/payload.js';

const node = (name: string, app: string, version: string) => ({
  id: `sidecar~10.0.0.1~${name}.default~default.svc.cluster.local`,
  metadata: { NAME: name, NAMESPACE: 'default', WORKLOAD_NAME: app, LABELS: { app, version } },
});

async function main(calls: number): Promise<void> {
  const telemetry = createTelemetry({ env: {}, node: node('consumer-0', 'consumer', 'v1') });
  const client = telemetry.client('xds:///greeter.default.svc.cluster.local:50051');
  const responseHeader = new Metadata();
  responseHeader.set(
    'x-envoy-peer-metadata',
    encodePeerMetadata(workloadFromNode(node('greeter-v1', 'greeter', 'v1'))),
  );
  responseHeader.set(
    'x-envoy-peer-metadata-id',
    'sidecar~10.0.0.2~greeter-v1.default~default.svc.cluster.local',
  );
  const response: UnaryResponse = {
    stream: false,
    header: responseHeader,
    message: {},
    trailer: new Metadata(),
  };
  const destination: AttemptDestination = {
    endpoint: '10.0.0.2:50051',
    cluster: 'outbound|50051|v1|greeter.default.svc.cluster.local',
    route: 'default',
    locality: 'region/zone/',
  };
  const transport = {
    call(request: CallRequest) {
      const attempt = request.tracer?.startAttempt();
      if (attempt) {
        attempt.onDestination?.(destination);
        attempt.onMessageSent(105);
        attempt.onHeader?.(responseHeader);
        attempt.onMessageReceived(105);
        attempt.onEnd(0);
      }
      return Promise.resolve(response);
    },
    close() {},
  };
  const plain = createClient(BenchService, transport);
  const traced = createClient(BenchService, transport, { callTracer: client.callTracer() });
  const message = echoRequest();
  const round = async (call: (m: typeof message) => Promise<unknown>) => {
    const before = process.cpuUsage();
    for (let i = 0; i < calls; i += 50) {
      const inFlight: Promise<unknown>[] = [];
      for (let j = 0; j < 50; j++) inFlight.push(call(message));
      await Promise.all(inFlight);
    }
    const cpu = process.cpuUsage(before);
    return (cpu.user + cpu.system) / calls;
  };
  for (const [name, call] of [
    ['without telemetry', plain.echo],
    ['with telemetry', traced.echo],
  ] as const) {
    await round(call); // warm-up
    const runs = [await round(call), await round(call), await round(call)].sort((a, b) => a - b);
    console.log(`${name.padEnd(18)} ${runs[1]!.toFixed(2)} us of CPU per call (median of 3 x ${calls})`);
  }
  const recorded = (await telemetry.prometheus()).match(/^istio_requests_total\{[^}]*\} (\d+)/m);
  console.log(`istio_requests_total: ${recorded?.[1] ?? 'missing'}`);
  await telemetry.close();
}

await main(Number(process.argv[2] ?? 200_000));
