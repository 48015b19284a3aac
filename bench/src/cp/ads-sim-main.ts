// Child-process entry: many simulated proxyless clients (SimStream), each on an HTTP/2 connection
// of its own as separate processes would be, all walking one target. The parent steps it:
//   connect → every stream synced (listener, route, clusters, endpoints ACKed);
//   arm     → route arrivals from now on are counted;
//   collect → waits until every stream received a new RouteConfiguration, then checks each one
//             against the expected weights and returns the arrival times.
// Argument: JSON {xdsPort, streams, listener, idPrefix}; with `xdsPorts`, stream j dials
// xdsPorts[j % n] (control-plane replicas).

import { createClient, GrpcTransport } from '@shoal/rpc';
import { envoy } from '@shoal/xds';
import { serveParent, wallMs } from './ipc.js';
import { decodeRoute, routeWeights, SimStream } from './sim-stream.js';

interface Settings {
  xdsPort: number;
  xdsPorts?: number[];
  streams: number;
  listener: string;
  idPrefix: string;
}

export interface ConnectAnswer {
  /** Time from the first stream opened to the last one synced, ms. */
  syncMs: number;
  streams: number;
}

export interface CollectAnswer {
  /** wallMs() at which each stream received its new RouteConfiguration. */
  arrivals: number[];
  /** Streams whose route did not carry the expected weights (should be 0). */
  wrong: string[];
  /** Streams that got no new route within the timeout (should be 0). */
  missing: number;
  /** Client CPU time since `arm`, µs (this process). */
  cpuMicros: number;
}

const BATCH = 50;

async function main(settings: Settings): Promise<void> {
  const transports: GrpcTransport[] = [];
  const streams: SimStream[] = [];
  let armedCpu = process.cpuUsage();

  const connect = async (): Promise<ConnectAnswer> => {
    const started = wallMs();
    // Opened in batches so the control plane sees a ramp rather than one SYN flood.
    for (let i = 0; i < settings.streams; i += BATCH) {
      const batch: SimStream[] = [];
      for (let j = i; j < Math.min(settings.streams, i + BATCH); j++) {
        const port = settings.xdsPorts ? settings.xdsPorts[j % settings.xdsPorts.length]! : settings.xdsPort;
        const transport = new GrpcTransport({ address: `127.0.0.1:${port}` });
        transports.push(transport);
        const s = new SimStream(
          createClient(envoy.AggregatedDiscoveryService, transport),
          `${settings.idPrefix}-${j}`,
          settings.listener,
        );
        void s.start();
        batch.push(s);
      }
      streams.push(...batch);
      await Promise.all(batch.map((s) => s.synced));
    }
    const failed = streams.filter((s) => s.error !== undefined);
    if (failed.length > 0) throw new Error(`${failed.length} streams failed: ${String(failed[0]!.error)}`);
    return { syncMs: wallMs() - started, streams: streams.length };
  };

  const arm = (): void => {
    for (const s of streams) s.routes = [];
    armedCpu = process.cpuUsage();
  };

  const collect = async ({
    weights,
    timeoutMs,
  }: {
    weights: Record<string, number>;
    timeoutMs: number;
  }): Promise<CollectAnswer> => {
    const deadline = Date.now() + timeoutMs;
    while (streams.some((s) => s.routes.length === 0) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    const cpu = process.cpuUsage(armedCpu);
    const arrivals: number[] = [];
    const wrong: string[] = [];
    let missing = 0;
    for (const s of streams) {
      const first = s.routes[0];
      if (!first) {
        missing++;
        continue;
      }
      arrivals.push(first.at);
      const got = routeWeights(decodeRoute(first.response));
      if (!sameWeights(got, weights)) wrong.push(JSON.stringify(got));
    }
    return { arrivals, wrong: wrong.slice(0, 3), missing, cpuMicros: cpu.user + cpu.system };
  };

  const close = (): void => {
    for (const s of streams) s.close();
    for (const t of transports) t.close();
  };

  await serveParent(async () => ({ pid: process.pid }), { connect, arm, collect, close });
}

function sameWeights(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

main(JSON.parse(process.argv[2] ?? '{}') as Settings).catch((err: Error) => {
  console.error(err.stack ?? String(err));
  process.exit(1);
});
