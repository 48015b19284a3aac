// The mesh suite (issue 4, "Performance"). One run, every participant in its own process:
// Shoal's control plane; three self-registering Shoal providers (one process, one shared
// capacity); and a fresh load-generator process per run.
//   (a) xDS-routed calls through Shoal's mesh client (route match, 70/30 weighted clusters over
//       three endpoints) vs the same Shoal client straight to one provider;
//   (b) the same mesh calls vs @grpc/grpc-js-xds on the same xds:/// target and config;
//   (c) the routing+picking cost per call, alone (ns/op on a real snapshot), and the whole mesh
//       transport's per-call cost with endpoint transports that answer at once;
//   (d) process start → first xDS-routed call completed, Shoal (client entry; the same bundled
//       into one file as an app would ship it; the package index for reference) and grpc-js-xds,
//       median of 5, with the CPU each process used until then.

import type { ControlPlaneReady } from '../cp/control-plane-main.js';
import { type Figure, printFigures } from '../cp/figures.js';
import { type ChildHandle, spawnChild, wallMs } from '../cp/ipc.js';
import { runChild } from '../lib/child.js';
import { type LoadResult, medianRun } from '../lib/load-result.js';
import { machineLine } from '../lib/machine.js';
import { count, flag, int, parseOptions, path, subset } from '../lib/options.js';
import { type Comparison, printSection, printSummary } from '../lib/report.js';
import { median } from '../lib/stats.js';
import type { Suite } from '../lib/suite.js';
import { bundleFirstCall } from './first-call-bundle.js';
import type { FirstCallResult } from './first-call-main.js';
import type { LoadRun } from './load-main.js';
import type { MeshCallResult } from './mesh-call-main.js';
import { bootstrapJson, PROVIDERS, ROUTING_YAML, target, V1_WEIGHT } from './mesh-config.js';
import type { ProvidersReady } from './providers-main.js';
import type { RoutePickResult } from './route-pick-main.js';

const controlPlaneMain = new URL('../cp/control-plane-main.js', import.meta.url);
const providersMain = new URL('./providers-main.js', import.meta.url);
const loadMain = new URL('./load-main.js', import.meta.url);
const routePickMain = new URL('./route-pick-main.js', import.meta.url);
const meshCallMain = new URL('./mesh-call-main.js', import.meta.url);
const firstCallMain = new URL('./first-call-main.js', import.meta.url);

const KINDS = [
  'shoal-mesh',
  'shoal-mesh-metrics',
  'shoal-mesh-alternating',
  'shoal-direct',
  'shoal-spread',
  'grpc-js-xds',
  'grpc-js-direct',
] as const;
type Kind = (typeof KINDS)[number];

/** Short names in comparisons, and row names in the table. */
const LABELS: Record<Kind, string> = {
  'shoal-mesh': 'shoal mesh',
  'shoal-mesh-metrics': 'shoal mesh, metrics on',
  'shoal-mesh-alternating': 'metrics on, one process',
  'shoal-direct': 'shoal direct',
  'shoal-spread': 'shoal direct 3 in turn',
  'grpc-js-xds': 'grpc-js-xds',
  'grpc-js-direct': 'grpc-js direct',
};
const ROWS: Record<Kind, string> = {
  'shoal-mesh': 'shoal mesh (xds:///, 70/30 over 3)',
  'shoal-mesh-metrics': 'shoal mesh, metrics on',
  'shoal-mesh-alternating': 'shoal mesh, metrics on, taking turns',
  'shoal-direct': 'shoal direct (one endpoint)',
  'shoal-spread': 'shoal direct, 3 endpoints in turn',
  'grpc-js-xds': 'grpc-js-xds (xds:///, same config)',
  'grpc-js-direct': 'grpc-js direct (one endpoint)',
};

interface Settings {
  runs: number;
  /** Measured seconds per run (after a warm-up of 8,000 calls or 5 s, whichever ends first). */
  seconds: number;
  concurrency: number;
  starts: number;
  sections: Set<string>;
  /** When set, Shoal's load generators write V8 CPU profiles here. */
  profileDir: string | undefined;
  /** The client kinds the throughput section runs (default all). */
  kinds: readonly Kind[];
  /** Shoal's load generators print V8's GC trace (`--trace-gc-nvp`) to this process's output. */
  traceGc: boolean;
  /** MB of live application state every load generator holds (load-main.ts); 0 by default. */
  appHeapMb: number;
}

function settingsFrom(args: string[]): Settings {
  const o = parseOptions(args, {
    runs: int(3),
    seconds: int(3),
    concurrency: int(50),
    starts: int(5),
    only: subset('section', 'throughput', 'pick', 'start'),
    'cpu-prof-dir': path(),
    kinds: subset('client', ...KINDS),
    'trace-gc': flag(),
    'app-heap-mb': count(0),
  });
  const { runs, seconds, concurrency, starts } = o;
  const kinds = KINDS.filter((k) => o.kinds.has(k));
  const profileDir = o['cpu-prof-dir'];
  return {
    runs,
    seconds,
    concurrency,
    starts,
    sections: o.only,
    profileDir,
    kinds,
    traceGc: o['trace-gc'],
    appHeapMb: o['app-heap-mb'],
  };
}

interface ProviderStats {
  calls: Record<string, number>;
  cpuMicros: number;
}

/** One load run; checks where the calls went (all to p1 when direct, split by weight when routed). */
async function loadRun(
  kind: Kind,
  settings: Settings,
  providers: ChildHandle<ProvidersReady>,
  targetUri: string,
): Promise<LoadRun> {
  const direct = `${PROVIDERS[0].ip}:${providers.ready.port}`;
  await providers.request('stats');
  const args = {
    kind,
    target: targetUri,
    direct,
    all: PROVIDERS.map((p) => `${p.ip}:${providers.ready.port}`),
    durationMs: settings.seconds * 1000,
    warmupMs: 5000,
    warmupCalls: 8000,
    concurrency: settings.concurrency,
    appHeapMb: settings.appHeapMb,
  };
  const shoal = kind.startsWith('shoal-');
  const flags = [
    ...(settings.profileDir && shoal ? ['--cpu-prof', `--cpu-prof-dir=${settings.profileDir}/${kind}`] : []),
    ...(settings.traceGc && shoal ? ['--trace-gc-nvp'] : []),
  ];
  if (settings.traceGc && shoal) console.log(`# gc trace of a ${kind} run`);
  const result = await runChild<LoadRun>(loadMain, [JSON.stringify(args)], flags, 180_000);
  const stats = await providers.request<ProviderStats>('stats');
  const total = Object.values(stats.calls).reduce((a, b) => a + b, 0);
  const share = (id: string) => (100 * (stats.calls[id] ?? 0)) / total;
  if (total !== result.calls)
    throw new Error(`${kind}: providers served ${total} calls, the client made ${result.calls}`);
  const metricsCalls = result.metricsCalls ?? result.calls;
  if (result.recorded !== undefined && result.recorded !== metricsCalls)
    throw new Error(`${kind}: istio_requests_total counted ${result.recorded} calls of ${metricsCalls}`);
  const expected = kind.endsWith('-direct') ? 100 : kind === 'shoal-spread' ? 100 / 3 : 100 - V1_WEIGHT;
  if (Math.abs(share(kind.endsWith('-direct') ? 'p1' : 'p3') - expected) > 3)
    throw new Error(`${kind}: calls went ${JSON.stringify(stats.calls)}, not where the config says`);
  return result;
}

async function throughput(
  settings: Settings,
  providers: ChildHandle<ProvidersReady>,
  targetUri: string,
): Promise<Map<Kind, LoadRun>> {
  const results = new Map<Kind, LoadRun[]>(settings.kinds.map((k) => [k, []]));
  for (let i = 0; i < settings.runs; i++)
    for (const kind of settings.kinds)
      results.get(kind)!.push(await loadRun(kind, settings, providers, targetUri));
  // An alternating run's figure is its metrics on / off ratio: the run with the median one.
  return new Map(
    [...results].map(([k, list]) => [
      k,
      k === 'shoal-mesh-alternating' ? medianRun(list, onOffRatio) : medianRun(list),
    ]),
  );
}

/** metrics on / off CPU per call of an alternating run. */
function onOffRatio(run: LoadRun): number {
  return (run.cpuMicrosPerRequest ?? Number.NaN) / (run.metricsOff?.cpuMicrosPerRequest ?? Number.NaN);
}

/** Per client kind, per start: [spawn → done, own start → done, own start → library loaded, → config, CPU ms]. */
async function firstCalls(
  settings: Settings,
  targetUri: string,
  bundle: URL,
): Promise<Record<string, number[][]>> {
  const out: Record<string, number[][]> = {
    shoal: [],
    'shoal-index': [],
    'shoal-bundled': [],
    'grpc-js-xds': [],
    none: [],
  };
  for (let i = 0; i < settings.starts; i++) {
    for (const kind of Object.keys(out)) {
      const spawnedAt = wallMs();
      const bundled = kind === 'shoal-bundled';
      const r = await runChild<FirstCallResult>(
        bundled ? bundle : firstCallMain,
        [JSON.stringify({ kind: bundled ? 'shoal' : kind, target: targetUri })],
        [],
        60_000,
      );
      out[kind]!.push([r.doneAt - spawnedAt, r.sinceStartMs, r.loadedMs, r.configMs ?? Number.NaN, r.cpuMs]);
    }
  }
  return out;
}

async function throughputSection(
  settings: Settings,
  providers: ChildHandle<ProvidersReady>,
  targetUri: string,
): Promise<Map<Kind, LoadRun>> {
  const r = await throughput(settings, providers, targetUri);
  // Each comparison is [name, subject kind, peer kind, target, basis]; those whose kinds did not
  // run are left out. (b) is issue 14's: routed calls per CPU second, at least 4x grpc-js-xds.
  const pairs: [string, Kind, Kind, number | undefined, Comparison['basis']?][] = [
    ['(a) routed vs direct', 'shoal-mesh', 'shoal-direct', 0.9],
    ['(b) vs grpc-js-xds', 'shoal-mesh', 'grpc-js-xds', 4, 'cpu'],
    ['(e) metrics on vs off', 'shoal-mesh-metrics', 'shoal-mesh', undefined],
    ['reference', 'shoal-mesh', 'shoal-spread', undefined],
    ['reference', 'grpc-js-xds', 'grpc-js-direct', undefined],
  ];
  const comparisons: Comparison[] = pairs
    .filter(([, s, p]) => r.has(s) && r.has(p))
    .map(([name, s, p, target, basis]) => ({
      name,
      subject: LABELS[s],
      subjectResult: r.get(s)!,
      peer: LABELS[p],
      peerResult: r.get(p)!,
      ...(target !== undefined && { target }),
      ...(basis !== undefined && { basis }),
    }));
  const alternating = r.get('shoal-mesh-alternating');
  const rows: [string, LoadResult][] = settings.kinds.map((k) => [ROWS[k], r.get(k)!]);
  if (alternating?.metricsOff) {
    rows.push(['shoal mesh, metrics off, taking turns', alternating.metricsOff]);
    comparisons.push({
      name: '(e) metrics on vs off, one process',
      subject: LABELS['shoal-mesh-alternating'],
      subjectResult: alternating,
      peer: 'metrics off, one process',
      peerResult: alternating.metricsOff,
    });
    console.log(
      `\nmetrics on / off CPU per call, per pair of blocks of the median run: ${alternating.blockRatios?.map((x) => x.toFixed(2)).join(' ')}`,
    );
  }
  printSection(
    `Unary Echo for ${settings.seconds} s (after 8,000 calls or 5 s of warm-up), ${settings.concurrency} in flight, median of ${settings.runs}; client CPU per call${settings.appHeapMb > 0 ? `; every client holds ${settings.appHeapMb} MB of live app state` : ''}`,
    rows,
    comparisons,
  );
  printSummary(comparisons);
  return r;
}

async function pickSection(targetUri: string, loads: Map<Kind, LoadRun> | undefined): Promise<Figure[]> {
  const pick = await runChild<RoutePickResult>(
    routePickMain,
    [JSON.stringify({ target: targetUri })],
    [],
    120_000,
  );
  console.log(
    `\nroute+pick microbenchmark: picks per endpoint (%) ${JSON.stringify(roundShares(pick.shares))}; ns/op per batch ${pick.batches.map((b) => b.toFixed(0)).join(' ')}`,
  );
  const call = await runChild<MeshCallResult>(
    meshCallMain,
    [JSON.stringify({ target: targetUri })],
    [],
    120_000,
  );
  console.log(
    `mesh transport, network cut out: calls per endpoint ${JSON.stringify(call.calls)}; CPU ns/call per batch ${call.batches.map((b) => b.toFixed(0)).join(' ')}`,
  );
  const cpu = (k: Kind) => (loads?.get(k)?.cpuMicrosPerRequest ?? Number.NaN) * 1000;
  const figures: Figure[] = [
    {
      name: `(c) route match + cluster pick + endpoint pick (${pick.routes} routes)`,
      value: pick.nsPerOp,
      unit: 'ns/op',
      ...(loads && { peer: { name: 'whole direct call (client CPU)', value: cpu('shoal-direct') } }),
    },
    {
      name: '(c) whole mesh transport call, network cut out (endpoint answers at once), CPU',
      value: call.nsPerCall,
      unit: 'ns/op',
      ...(loads && { peer: { name: 'whole direct call (client CPU)', value: cpu('shoal-direct') } }),
    },
  ];
  if (loads)
    figures.push(
      {
        name: '(c) mesh call CPU minus direct (1 endpoint)',
        value: cpu('shoal-mesh') - cpu('shoal-direct'),
        unit: 'ns/op',
        peer: { name: 'whole direct call', value: cpu('shoal-direct') },
      },
      {
        name: '(e) client CPU per routed call, metrics on / off',
        value: cpu('shoal-mesh-metrics') / 1000,
        unit: 'us/call',
        peer: { name: 'metrics off', value: cpu('shoal-mesh') / 1000 },
        target: { op: '<=', value: 1.1 },
        onRatio: true,
      },
      {
        name: '(c) mesh call CPU minus direct (3 in turn)',
        value: cpu('shoal-mesh') - cpu('shoal-spread'),
        unit: 'ns/op',
        peer: { name: 'whole direct call', value: cpu('shoal-spread') },
      },
    );
  const alternating = loads?.get('shoal-mesh-alternating');
  if (alternating?.metricsOff?.cpuMicrosPerRequest !== undefined)
    figures.push({
      name: '(e) the same, both clients in one process taking turns',
      value: cpu('shoal-mesh-alternating') / 1000,
      unit: 'us/call',
      peer: { name: 'metrics off', value: alternating.metricsOff.cpuMicrosPerRequest },
      target: { op: '<=', value: 1.1 },
      onRatio: true,
    });
  return figures;
}

async function startSection(settings: Settings, targetUri: string): Promise<Figure[]> {
  const bundle = await bundleFirstCall();
  console.log(`\nfirst-call child bundled with esbuild: ${(bundle.bytes / 1024).toFixed(0)} KB`);
  const starts = await firstCalls(settings, targetUri, bundle.script);
  const med = (k: string, i: number) => median(starts[k]!.map((s) => s[i]!));
  console.log(
    `\nfirst routed call, ms per start (spawn→done / own start→done; own start→library loaded, →config complete; CPU): ${Object.entries(
      starts,
    )
      .map(
        ([k, v]) =>
          `${k} ${v.map((s) => `${s[0]!.toFixed(0)}/${s[1]!.toFixed(0)} (${s[2]!.toFixed(0)}, ${s[3]!.toFixed(0)}; ${s[4]!.toFixed(0)})`).join(' ')}`,
      )
      .join('; ')}`,
  );
  const peer = (i: number) => ({ name: 'grpc-js-xds', value: med('grpc-js-xds', i) });
  return [
    {
      name: '(d) spawn → first routed call done (shoal)',
      value: med('shoal', 0),
      unit: 'ms',
      peer: peer(0),
      target: { op: '<', value: 500 },
    },
    {
      name: '(d) process start → first routed call done (shoal)',
      value: med('shoal', 1),
      unit: 'ms',
      peer: peer(1),
      target: { op: '<=', value: 250 }, // issue 14 (issue 4 asked < 500)
    },
    {
      name: '(d) process start → client library loaded (shoal)',
      value: med('shoal', 2),
      unit: 'ms',
      peer: peer(2),
    },
    { name: '(d) process start → xDS config complete (shoal)', value: med('shoal', 3), unit: 'ms' },
    {
      name: '(d) CPU used by the process until its first routed call (shoal)',
      value: med('shoal', 4),
      unit: 'ms',
      peer: { name: 'grpc-js-xds', value: med('grpc-js-xds', 4) },
    },
    {
      name: '(d) reference: the same through the package index (@shoal/mesh), start → done',
      value: med('shoal-index', 1),
      unit: 'ms',
    },
    {
      name: '(d) the same app bundled into one file (esbuild), start → done',
      value: med('shoal-bundled', 1),
      unit: 'ms',
      target: { op: '<', value: 500 },
    },
    {
      name: '(d) the same app bundled, CPU until its first routed call',
      value: med('shoal-bundled', 4),
      unit: 'ms',
    },
    { name: '(d) spawn → bare node process ran its first line', value: med('none', 0), unit: 'ms' },
    { name: '(d) CPU used by a bare node process', value: med('none', 4), unit: 'ms' },
  ];
}

async function run(settings: Settings): Promise<void> {
  const cp = await spawnChild<ControlPlaneReady>(controlPlaneMain, []);
  let providers: ChildHandle<ProvidersReady> | undefined;
  try {
    await cp.request('apply', ROUTING_YAML);
    providers = await spawnChild<ProvidersReady>(providersMain, [String(cp.ready.xdsPort)]);
    const targetUri = target(providers.ready.port);
    // Every client process below reads its bootstrap from here (Shoal and grpc-js-xds alike).
    process.env.GRPC_XDS_BOOTSTRAP_CONFIG = JSON.stringify(bootstrapJson(cp.ready.xdsPort, 'bench-client'));
    console.log(
      `control plane on 127.0.0.1:${cp.ready.xdsPort}; providers ${PROVIDERS.map((p) => `${p.ip} (${p.version})`).join(', ')} on port ${providers.ready.port}; target ${targetUri}`,
    );

    const figures: Figure[] = [];
    const loads = settings.sections.has('throughput')
      ? await throughputSection(settings, providers, targetUri)
      : undefined;
    if (settings.sections.has('pick')) figures.push(...(await pickSection(targetUri, loads)));
    if (settings.sections.has('start')) figures.push(...(await startSection(settings, targetUri)));
    if (figures.length > 0) printFigures('Per-call routing cost and time to first routed call', figures);
  } finally {
    await providers?.stop();
    await cp.stop();
  }
}

const roundShares = (s: Record<string, number>) =>
  Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Number(v.toFixed(1))]));

export const meshSuite: Suite = {
  description:
    'Shoal mesh client: routed vs direct vs grpc-js-xds throughput, routing cost, time to first call',
  async run(args) {
    const settings = settingsFrom(args);
    console.log(machineLine('mesh'));
    await run(settings);
  },
};
