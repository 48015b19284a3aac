// Child-process entry: unary Echo calls from one kind of client, `concurrency` in flight for a
// fixed time after a warm-up, reported as throughput, latency and this process's CPU per call.
//   shoal-mesh      Shoal's mesh client on xds:///bench...:port (route match, weighted cluster, LB)
//   shoal-mesh-metrics  the same with telemetry on: A66, A78 and Istio metrics, metadata exchange
//                   (no traces, no scrapes during the run)
//   shoal-mesh-alternating  both of the above in one process, taking turns in short blocks: the
//                   two share one heap and one GC state, so their CPU per call compares the work
//                   metrics add rather than two processes' GC luck (bench/README.md, (e))
//   shoal-direct    Shoal's plain client on one provider's address
//   shoal-spread    Shoal's plain clients on all three providers, taken in turn (no xDS): what
//                   spreading calls over three connections costs without any routing
//   grpc-js-xds     @grpc/grpc-js with @grpc/grpc-js-xds on the same xds:/// target
//   grpc-js-direct  @grpc/grpc-js on one provider's address
// The xDS clients read the bootstrap from GRPC_XDS_BOOTSTRAP_CONFIG, set by the parent.
// With appHeapMb > 0 the process first builds that much live application state (small objects
// kept to the end), as an application has: a bare load generator holds only a few MB, and V8's
// young-generation GC behaves differently in a heap that small (bench/README.md, (e)).
// Argument: JSON {kind, target, direct, all, durationMs, warmupMs, concurrency, appHeapMb}.

import { performance } from 'node:perf_hooks';
import { reply, runToEnd } from '../lib/child.js';
import type { LoadResult } from '../lib/load-result.js';
import { mean, percentile } from '../lib/stats.js';
import { echoRequest } from '../rpc/payload.js';

type Call = () => Promise<{ text: string }>;

interface Settings {
  kind: string;
  target: string;
  direct: string;
  /** Every provider's address, for shoal-spread. */
  all: string[];
  /** Measured for this long, after `warmupMs` of the same load. */
  durationMs: number;
  warmupMs: number;
  warmupCalls: number;
  concurrency: number;
  /** MB of live application state built before the client (0: none). */
  appHeapMb?: number;
}

export interface LoadRun extends LoadResult {
  /** Every call made, warm-up included (the providers must have served exactly these). */
  calls: number;
  /** With metrics on: the calls istio_requests_total counted (must equal `calls`). */
  recorded?: number;
  /** Objects of live application state the process held (appHeapMb). */
  appObjects?: number;
  /** shoal-mesh-alternating: the figures are the metrics-on client's, these the metrics-off one's. */
  metricsOff?: LoadResult;
  /** shoal-mesh-alternating: the calls the metrics-on client made (what `recorded` must equal). */
  metricsCalls?: number;
  /** shoal-mesh-alternating: metrics on / off CPU per call, per pair of adjacent blocks. */
  blockRatios?: number[];
}

/** About `mb` MB of live objects, as an application's state (~80 bytes per entry with its string). */
function appState(mb: number): { id: number; name: string }[] {
  return Array.from({ length: Math.round((mb * 1024 * 1024) / 80) }, (_, i) => ({
    id: i,
    name: `item-${i}`,
  }));
}

/** The metrics of a shoal-mesh-metrics run, read back once the run is over. */
let scrape: (() => Promise<number>) | undefined;

async function shoalCaller(settings: Settings, kind = settings.kind): Promise<Call> {
  const { createClient } = await import('@shoal/rpc');
  const { BenchService } = await import('../gen/shoal/bench/v1/bench_pb.js');
  const request = echoRequest();
  if (kind === 'shoal-direct') {
    const client = createClient(BenchService, settings.direct);
    return () => client.echo(request);
  }
  if (kind === 'shoal-spread') {
    const clients = settings.all.map((address) => createClient(BenchService, address));
    let next = 0;
    return () => clients[next++ % clients.length]!.echo(request);
  }
  const { createMeshClient, meshTransportOf } = await import('@shoal/mesh');
  let telemetry: import('@shoal/telemetry').Telemetry | undefined;
  if (kind === 'shoal-mesh-metrics') {
    const { createTelemetry } = await import('@shoal/telemetry');
    const { parsePrometheusText } = await import('@shoal/telemetry/plugins');
    const { loadBootstrap } = await import('@shoal/xds');
    const t = createTelemetry({ env: {}, node: loadBootstrap().node });
    telemetry = t;
    scrape = async () =>
      parsePrometheusText(await t.prometheus())
        .filter((s) => s.name === 'istio_requests_total')
        .reduce((a, s) => a + s.value, 0);
  }
  const client = createMeshClient(BenchService, settings.target, telemetry ? { telemetry } : {});
  await meshTransportOf(client).ready();
  return () => client.echo(request);
}

async function grpcJsCaller(settings: Settings): Promise<Call> {
  const grpc = (await import('@grpc/grpc-js')).default;
  if (settings.kind === 'grpc-js-xds') (await import('@grpc/grpc-js-xds')).register();
  const { loadBenchService } = await import('../rpc/servers/grpc-js-server.js');
  const Client = loadBenchService();
  const address = settings.kind === 'grpc-js-xds' ? settings.target : settings.direct;
  const client = new Client(address, grpc.credentials.createInsecure()) as unknown as {
    echo(request: object, callback: (err: Error | null, response?: { text: string }) => void): void;
  };
  const { text, id, payload } = echoRequest();
  const request = { text, id, payload: Buffer.from(payload) };
  return () =>
    new Promise((resolve, reject) =>
      client.echo(request, (err, response) => (err ? reject(err) : resolve(response!))),
    );
}

/**
 * Keeps `concurrency` calls in flight for `ms` (or until `maxCalls` have started); returns each
 * completed call's latency in ms.
 */
async function load(call: Call, ms: number, concurrency: number, maxCalls = Infinity): Promise<number[]> {
  const latencies: number[] = [];
  const until = performance.now() + ms;
  let started = 0;
  const worker = async () => {
    while (performance.now() < until && started++ < maxCalls) {
      const started = performance.now();
      const response = await call();
      latencies.push(performance.now() - started);
      if (response.text === '') throw new Error('the provider answered an empty echo');
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return latencies;
}

/** Blocks per client in an alternating run: each measured block is durationMs / BLOCKS long. */
const BLOCKS = 12;

/** What the process's CPU and the clock say about one stretch of calls. */
function measured(latencies: number[], ms: number, cpuMicros: number): LoadResult {
  return {
    requestsPerSecond: latencies.length / (ms / 1000),
    meanMs: mean(latencies),
    p99Ms: percentile(latencies, 99),
    cpuMicrosPerRequest: cpuMicros / latencies.length,
  };
}

/** One stretch of calls from one client, with the process CPU it took. */
interface Block {
  latencies: number[];
  ms: number;
  cpuMicros: number;
}

async function block(call: Call, settings: Settings, ms: number): Promise<Block> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const latencies = await load(call, ms, settings.concurrency);
  const cpu = process.cpuUsage(cpuBefore);
  return { latencies, ms: performance.now() - started, cpuMicros: cpu.user + cpu.system };
}

/**
 * Metrics off and on in one process, in alternating blocks (off first, then on, BLOCKS times),
 * each given `durationMs` in all, after a warm-up of both and one pair of blocks not counted
 * (the first block after the warm-up measured higher than the rest).
 */
async function alternating(settings: Settings): Promise<LoadRun> {
  const clients = {
    off: await shoalCaller(settings, 'shoal-mesh'),
    on: await shoalCaller(settings, 'shoal-mesh-metrics'),
  };
  const sides = ['off', 'on'] as const;
  const calls = { off: 0, on: 0 };
  for (let i = 0; i < 4; i++) {
    const side = sides[i % 2]!;
    const quarter = settings.warmupCalls / 4;
    calls[side] += (await load(clients[side], settings.warmupMs / 4, settings.concurrency, quarter)).length;
  }
  const totals = {
    off: { latencies: [] as number[], ms: 0, cpuMicros: 0 },
    on: { latencies: [] as number[], ms: 0, cpuMicros: 0 },
  };
  const blockRatios: number[] = [];
  for (let b = -1; b < BLOCKS; b++) {
    const perCall = { off: 0, on: 0 };
    for (const side of sides) {
      const r = await block(clients[side], settings, settings.durationMs / BLOCKS);
      calls[side] += r.latencies.length;
      perCall[side] = r.cpuMicros / r.latencies.length;
      if (b < 0) continue;
      const t = totals[side];
      t.ms += r.ms;
      t.cpuMicros += r.cpuMicros;
      for (const l of r.latencies) t.latencies.push(l);
    }
    if (b >= 0) blockRatios.push(perCall.on / perCall.off);
  }
  return {
    ...measured(totals.on.latencies, totals.on.ms, totals.on.cpuMicros),
    metricsOff: measured(totals.off.latencies, totals.off.ms, totals.off.cpuMicros),
    calls: calls.off + calls.on,
    metricsCalls: calls.on,
    blockRatios,
    ...(scrape && { recorded: await scrape() }),
  };
}

async function main(settings: Settings): Promise<void> {
  const state = appState(settings.appHeapMb ?? 0);
  if (settings.kind === 'shoal-mesh-alternating') {
    await reply({ ...(await alternating(settings)), ...(state.length > 0 && { appObjects: state.length }) });
    return;
  }
  const call = settings.kind.startsWith('shoal-')
    ? await shoalCaller(settings)
    : settings.kind.startsWith('grpc-js-')
      ? await grpcJsCaller(settings)
      : undefined;
  if (!call) throw new Error(`unknown client "${settings.kind}"`);
  // Warm-up until the JIT has seen the call path often (a time cap keeps a busy machine bounded).
  const warmup = await load(call, settings.warmupMs, settings.concurrency, settings.warmupCalls);
  // Under the suite's --trace-gc, marks where the measured part of V8's GC trace starts and ends.
  const traceGc = process.execArgv.includes('--trace-gc-nvp');
  if (traceGc) console.log('# measured: start');
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const latencies = await load(call, settings.durationMs, settings.concurrency);
  if (traceGc) console.log('# measured: end');
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const result: LoadRun = {
    ...measured(latencies, ms, cpu.user + cpu.system),
    calls: warmup.length + latencies.length,
    ...(scrape && { recorded: await scrape() }),
    ...(state.length > 0 && { appObjects: state.length }),
  };
  await reply(result);
}

// process.exit lets --cpu-prof write its profile when the parent stops this process.
process.once('SIGTERM', () => process.exit(0));
runToEnd(() => main(JSON.parse(process.argv[2] ?? '{}') as Settings));
