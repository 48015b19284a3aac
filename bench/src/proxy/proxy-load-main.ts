// Child-process entry of the proxy suite: one client kind making unary Echo calls, in phases the
// parent asks for, so it can read the other processes' CPU time around each phase.
//   proxyless  Shoal's mesh client on xds:///bench...:port, routed by the mesh (a header route to
//              subset v2, one provider) straight to that provider
//   sidecars   Shoal's plain client on the client's sidecar (nghttpx), which goes through the
//              server's sidecar (another nghttpx) to the same provider
//   sidecars-mtls  the same with mutual TLS between the two sidecars, as Istio's talk
//   direct     Shoal's plain client on that provider's address: the floor
// Argument: JSON {kind, target, address}. The xDS client reads GRPC_XDS_BOOTSTRAP_CONFIG.

import { performance } from 'node:perf_hooks';
import { createClient } from '@shoal/rpc';
import { serveParent } from '../cp/ipc.js';
import { BenchService } from '../gen/shoal/bench/v1/bench_pb.js';
import { mean, percentile } from '../lib/stats.js';
import { CANARY_HEADER } from '../mesh/mesh-config.js';
import { echoRequest } from '../rpc/payload.js';

export type ProxyBenchKind = 'proxyless' | 'sidecars' | 'sidecars-mtls' | 'direct';

interface Settings {
  kind: ProxyBenchKind;
  target: string;
  address: string;
}

export interface SequentialResult {
  calls: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  cpuMicros: number;
}

export interface ConcurrentResult {
  calls: number;
  seconds: number;
  cpuMicros: number;
}

type Call = () => Promise<{ text: string }>;

/** Every kind sends it; the mesh routes it by this header to subset v2 (provider p3 alone). */
const options = { headers: { [CANARY_HEADER]: 'true' } };

async function caller(settings: Settings): Promise<Call> {
  const request = echoRequest();
  if (settings.kind !== 'proxyless') {
    const client = createClient(BenchService, settings.address);
    return () => client.echo(request, options);
  }
  const { createMeshClient, meshTransportOf } = await import('@shoal/mesh');
  const client = createMeshClient(BenchService, settings.target, {});
  await meshTransportOf(client).ready();
  return () => client.echo(request, options);
}

const cpuMicros = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

async function main(settings: Settings): Promise<void> {
  let call: Call | undefined;
  let made = 0;
  const timed = async (): Promise<number> => {
    const started = performance.now();
    const response = await call!();
    made++;
    if (response.text === '') throw new Error('the provider answered an empty echo');
    return performance.now() - started;
  };
  await serveParent(
    async () => {
      call = await caller(settings);
      return {};
    },
    {
      /** `calls` calls one after another (after `warmup` more), each timed. */
      sequential: async ({ calls, warmup }: { calls: number; warmup: number }) => {
        for (let i = 0; i < warmup; i++) await timed();
        const latencies = new Float64Array(calls);
        const before = cpuMicros();
        for (let i = 0; i < calls; i++) latencies[i] = await timed();
        const cpu = cpuMicros() - before;
        return {
          calls,
          meanMs: mean(latencies),
          p50Ms: percentile(latencies, 50),
          p90Ms: percentile(latencies, 90),
          p99Ms: percentile(latencies, 99),
          p999Ms: percentile(latencies, 99.9),
          cpuMicros: cpu,
        } satisfies SequentialResult;
      },
      /** `concurrency` calls in flight for `ms` (the parent warms up with a first, unread round). */
      concurrent: async ({ ms, concurrency }: { ms: number; concurrency: number }) => {
        const before = cpuMicros();
        const started = performance.now();
        const until = started + ms;
        let calls = 0;
        const worker = async () => {
          while (performance.now() < until) {
            await timed();
            calls++;
          }
        };
        await Promise.all(Array.from({ length: concurrency }, worker));
        return {
          calls,
          seconds: (performance.now() - started) / 1000,
          cpuMicros: cpuMicros() - before,
        } satisfies ConcurrentResult;
      },
      rss: () => process.memoryUsage().rss,
      /** Every call made so far (the providers must have served exactly these). */
      made: () => made,
    },
  );
}

main(JSON.parse(process.argv[2] ?? '{}') as Settings).catch((err: Error) => {
  console.error(err.stack ?? String(err));
  process.exit(1);
});
