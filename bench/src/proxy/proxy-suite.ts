// The proxy suite (issue 17, "The numbers"): the same unary call three ways, in one run, every
// participant in a process of its own:
//   proxyless  Shoal's mesh client, routed by the mesh (xds:///, the mesh suite's config: a header
//              route to subset v2, which is one provider, p3), straight to that provider;
//   sidecars   Shoal's plain client through two nghttpx processes, the client's and the server's
//              sidecar (h2c on both hops), to the same provider: the shape of Istio's sidecar path;
//   direct     Shoal's plain client straight to that provider: the floor;
// and, to explain the gap with Istio's figures, sidecars-mtls: the same two hops with mutual TLS
// between the sidecars (a throwaway mesh CA, RSA 2048 workload certificates), as Istio's talk.
// All three end on one provider, so the server side is the same; the providers share a process.
// Per kind: sequential latency (one call in flight) p50/p90/p99/p99.9; throughput with 50 in
// flight; CPU per call of every process on the path (client, providers, proxies); RSS of the
// client and of the sidecars. Targets from the issue: proxyless p50 at least 2.5x lower than two
// hops, throughput at least 1.5x; Istio's published sidecar overhead and the seed's "about 10x"
// printed beside what is measured.

import { rmSync } from 'node:fs';
import { startNghttpx } from '@shoal/interop';
import { type Daemon, type MeshCertificateFiles, makeMeshCertificates, tempDir } from '@shoal/testing';
import type { ControlPlaneReady } from '../cp/control-plane-main.js';
import { type Figure, printFigures } from '../cp/figures.js';
import { type ChildHandle, spawnChild } from '../cp/ipc.js';
import { machineLine } from '../lib/machine.js';
import { int, parseOptions } from '../lib/options.js';
import { procCpuMicros, procRssBytes } from '../lib/proc-stats.js';
import { median } from '../lib/stats.js';
import type { Suite } from '../lib/suite.js';
import { bootstrapJson, PROVIDERS, ROUTING_YAML, target } from '../mesh/mesh-config.js';
import type { ProvidersReady } from '../mesh/providers-main.js';
import type { ConcurrentResult, ProxyBenchKind, SequentialResult } from './proxy-load-main.js';

const controlPlaneMain = new URL('../cp/control-plane-main.js', import.meta.url);
const providersMain = new URL('../mesh/providers-main.js', import.meta.url);
const loadMain = new URL('./proxy-load-main.js', import.meta.url);

const KINDS: readonly ProxyBenchKind[] = ['proxyless', 'sidecars', 'sidecars-mtls', 'direct'];
/** The one provider every kind's calls end on (subset v2). */
const PROVIDER = PROVIDERS[2];
const ROWS: Record<ProxyBenchKind, string> = {
  proxyless: 'proxyless (Shoal mesh, routed)',
  sidecars: 'two sidecar hops (nghttpx x 2)',
  'sidecars-mtls': 'two sidecar hops, mTLS between them',
  direct: 'direct (no mesh, no proxy)',
};
/** Istio's published overhead of the two sidecars on a call, at p90 (as the issue quotes it). */
const ISTIO_P90_MS = 2.65;
/** The seed documents' claim: proxyless has about 10x lower latency than a sidecar. */
const SEED_CLAIM = 10;

interface Settings {
  runs: number;
  seconds: number;
  calls: number;
  concurrency: number;
}

function settingsFrom(args: string[]): Settings {
  return parseOptions(args, {
    runs: int(3, 20),
    seconds: int(3, 60),
    calls: int(3000, 100_000),
    concurrency: int(50, 1000),
  });
}

interface KindRun {
  sequential: SequentialResult;
  throughput: number;
  /** CPU µs per call while 50 were in flight, per process group. */
  cpu: { client: number; server: number; proxies: number };
  rss: { client: number; proxies: number };
}

interface Path {
  providers: ChildHandle<ProvidersReady>;
  /** The sidecar pairs, plaintext and mTLS: [client side, server side] each. */
  proxies: Record<'sidecars' | 'sidecars-mtls', [Daemon, Daemon]>;
  targetUri: string;
  directAddress: string;
}

const sidecarsOf = (kind: ProxyBenchKind, path: Path): Daemon[] =>
  kind === 'sidecars' || kind === 'sidecars-mtls' ? path.proxies[kind] : [];

/** CPU µs so far of the server side and of the kind's proxies (the client measures its own). */
async function othersCpu(kind: ProxyBenchKind, path: Path): Promise<{ server: number; proxies: number }> {
  const stats = await path.providers.request<{ cpuMicros: number; calls: Record<string, number> }>('stats');
  served.push(stats.calls);
  return {
    server: stats.cpuMicros,
    proxies: sidecarsOf(kind, path).reduce((sum, p) => sum + procCpuMicros(p.pid), 0),
  };
}

/** Calls per provider, as the providers report them at each ask (they count from the last ask). */
let served: Record<string, number>[] = [];

async function runKind(kind: ProxyBenchKind, settings: Settings, path: Path): Promise<KindRun> {
  const child = await spawnChild<object>(loadMain, [
    JSON.stringify({
      kind,
      target: path.targetUri,
      address: kind.startsWith('sidecars')
        ? `127.0.0.1:${sidecarsOf(kind, path)[0]!.ports[0]}`
        : path.directAddress,
    }),
  ]);
  try {
    await othersCpu(kind, path);
    served = [];
    // Warm-up: the JIT, the connections, nghttpx's buffers.
    await child.request('concurrent', { ms: 1500, concurrency: settings.concurrency });
    // A mesh call one at a time needs more calls than a direct one before V8 has optimised its
    // path (measured in one process, alternating batches of 2,000: 1.6x the direct call's CPU in
    // the first batch, equal from the fourth): every kind first makes as many sequential calls as
    // it measures.
    const sequential = await child.request<SequentialResult>('sequential', {
      calls: settings.calls,
      warmup: settings.calls,
    });
    const before = await othersCpu(kind, path);
    const conc = await child.request<ConcurrentResult>('concurrent', {
      ms: settings.seconds * 1000,
      concurrency: settings.concurrency,
    });
    const after = await othersCpu(kind, path);
    const made = await child.request<number>('made');
    checkWhereCallsWent(kind, made);
    return {
      sequential,
      throughput: conc.calls / conc.seconds,
      cpu: {
        client: conc.cpuMicros / conc.calls,
        server: (after.server - before.server) / conc.calls,
        proxies: (after.proxies - before.proxies) / conc.calls,
      },
      rss: {
        client: await child.request<number>('rss'),
        proxies: sidecarsOf(kind, path).reduce((sum, p) => sum + procRssBytes(p.pid), 0),
      },
    };
  } finally {
    await child.stop();
  }
}

/** The providers served every call, all on p3 (the header route's subset, and the proxies' backend). */
function checkWhereCallsWent(kind: ProxyBenchKind, made: number): void {
  const totals: Record<string, number> = {};
  for (const s of served) for (const [id, n] of Object.entries(s)) totals[id] = (totals[id] ?? 0) + n;
  const all = Object.values(totals).reduce((a, b) => a + b, 0);
  if (all !== made) throw new Error(`${kind}: providers served ${all} calls, the client made ${made}`);
  if (totals[PROVIDER.id] !== all)
    throw new Error(`${kind}: calls went ${JSON.stringify(totals)}, not where they should`);
}

const ms = (n: number) => n.toFixed(n >= 10 ? 1 : 3);
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

function printTable(results: Map<ProxyBenchKind, KindRun>, settings: Settings): void {
  console.log(
    `\nSequential: ${settings.calls} calls one after another; throughput: ${settings.concurrency} in flight for ${settings.seconds} s; CPU per call of every process on the path while ${settings.concurrency} were in flight; median of ${settings.runs} runs per figure`,
  );
  console.log(
    '\n| path | p50 ms | p90 ms | p99 ms | p99.9 ms | req/s at 50 in flight | CPU µs/call: total (client + server + proxies) | RSS MB: client (+ sidecars) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const [kind, r] of results) {
    const total = r.cpu.client + r.cpu.server + r.cpu.proxies;
    console.log(
      `| ${ROWS[kind]} | ${ms(r.sequential.p50Ms)} | ${ms(r.sequential.p90Ms)} | ${ms(r.sequential.p99Ms)} | ${ms(r.sequential.p999Ms)} | ${r.throughput.toFixed(0)} | ${total.toFixed(0)} (${r.cpu.client.toFixed(0)} + ${r.cpu.server.toFixed(0)} + ${r.cpu.proxies.toFixed(0)}) | ${mb(r.rss.client)}${r.rss.proxies ? ` (+ ${mb(r.rss.proxies)})` : ''} |`,
    );
  }
}

function figures(r: Map<ProxyBenchKind, KindRun>): Figure[] {
  const p = r.get('proxyless')!;
  const s = r.get('sidecars')!;
  const t = r.get('sidecars-mtls')!;
  const d = r.get('direct')!;
  const cpu = (x: KindRun) => x.cpu.client + x.cpu.server + x.cpu.proxies;
  return [
    {
      name: 'sequential p50: two sidecar hops / proxyless',
      value: s.sequential.p50Ms,
      unit: 'ms',
      peer: { name: 'proxyless', value: p.sequential.p50Ms },
      target: { op: '>=', value: 2.5 },
      onRatio: true,
    },
    {
      name: 'throughput at 50 in flight: proxyless / two sidecar hops',
      value: p.throughput,
      unit: 'req/s',
      peer: { name: 'two sidecar hops', value: s.throughput },
      target: { op: '>=', value: 1.5 },
      onRatio: true,
    },
    {
      name: 'sequential p99: two sidecar hops / proxyless',
      value: s.sequential.p99Ms,
      unit: 'ms',
      peer: { name: 'proxyless', value: p.sequential.p99Ms },
    },
    {
      name: 'sequential p99.9: two sidecar hops / proxyless',
      value: s.sequential.p999Ms,
      unit: 'ms',
      peer: { name: 'proxyless', value: p.sequential.p999Ms },
    },
    {
      name: 'CPU per call, whole path: two sidecar hops / proxyless',
      value: cpu(s),
      unit: 'us',
      peer: { name: 'proxyless', value: cpu(p) },
    },
    {
      name: 'sequential p50: proxyless / direct (what the mesh costs)',
      value: p.sequential.p50Ms,
      unit: 'ms',
      peer: { name: 'direct', value: d.sequential.p50Ms },
    },
    {
      name: 'sequential p50: two sidecar hops / direct',
      value: s.sequential.p50Ms,
      unit: 'ms',
      peer: { name: 'direct', value: d.sequential.p50Ms },
    },
    {
      name: 'added at p90 by two sidecar hops (sidecars p90 - direct p90)',
      value: s.sequential.p90Ms - d.sequential.p90Ms,
      unit: 'ms',
      peer: { name: "Istio's published 2-sidecar overhead at p90", value: ISTIO_P90_MS },
    },
    {
      name: 'added at p90 by two sidecar hops with mTLS between them',
      value: t.sequential.p90Ms - d.sequential.p90Ms,
      unit: 'ms',
      peer: { name: "Istio's published 2-sidecar overhead at p90", value: ISTIO_P90_MS },
    },
    {
      name: 'sequential p50: two sidecar hops with mTLS / proxyless',
      value: t.sequential.p50Ms,
      unit: 'ms',
      peer: { name: 'proxyless', value: p.sequential.p50Ms },
    },
    {
      name: 'throughput: proxyless / two sidecar hops with mTLS',
      value: p.throughput,
      unit: 'req/s',
      peer: { name: 'two hops with mTLS', value: t.throughput },
    },
    {
      name: 'added at p90 by proxyless routing (proxyless p90 - direct p90)',
      value: p.sequential.p90Ms - d.sequential.p90Ms,
      unit: 'ms',
    },
    {
      name: "p50 ratio two hops / proxyless, beside the seed's claim",
      value: s.sequential.p50Ms / p.sequential.p50Ms,
      unit: 'x',
      peer: { name: "the seed's claim", value: SEED_CLAIM },
    },
  ];
}

function medianOf(runs: KindRun[]): KindRun {
  const m = (f: (r: KindRun) => number) => median(runs.map(f));
  const seq = (k: keyof SequentialResult) => m((r) => r.sequential[k]);
  return {
    sequential: {
      calls: seq('calls'),
      meanMs: seq('meanMs'),
      p50Ms: seq('p50Ms'),
      p90Ms: seq('p90Ms'),
      p99Ms: seq('p99Ms'),
      p999Ms: seq('p999Ms'),
      cpuMicros: seq('cpuMicros'),
    },
    throughput: m((r) => r.throughput),
    cpu: { client: m((r) => r.cpu.client), server: m((r) => r.cpu.server), proxies: m((r) => r.cpu.proxies) },
    rss: { client: m((r) => r.rss.client), proxies: m((r) => r.rss.proxies) },
  };
}

async function run(settings: Settings): Promise<void> {
  const cp = await spawnChild<ControlPlaneReady>(controlPlaneMain, []);
  let providers: ChildHandle<ProvidersReady> | undefined;
  const proxies: Daemon[] = [];
  const dir = tempDir('proxy-bench');
  try {
    await cp.request('apply', ROUTING_YAML);
    providers = await spawnChild<ProvidersReady>(providersMain, [String(cp.ready.xdsPort)]);
    const port = providers.ready.port;
    process.env.GRPC_XDS_BOOTSTRAP_CONFIG = JSON.stringify(bootstrapJson(cp.ready.xdsPort, 'bench-client'));
    // Each pair: the server's sidecar in front of the provider, the client's sidecar in front of it.
    const pair = async (tls?: MeshCertificateFiles): Promise<[Daemon, Daemon]> => {
      const serverSide = await startNghttpx({
        backendPort: port,
        backendHost: PROVIDER.ip,
        ...(tls ? { frontendTls: tls } : {}),
      });
      proxies.push(serverSide);
      const clientSide = await startNghttpx({
        backendPort: serverSide.ports[0]!,
        ...(tls ? { backendTls: tls } : {}),
      });
      proxies.push(clientSide);
      return [clientSide, serverSide];
    };
    const path: Path = {
      providers,
      proxies: { sidecars: await pair(), 'sidecars-mtls': await pair(makeMeshCertificates(dir)) },
      targetUri: target(port),
      directAddress: `${PROVIDER.ip}:${port}`,
    };
    console.log(
      `control plane on 127.0.0.1:${cp.ready.xdsPort}; providers ${PROVIDERS.map((p) => p.ip).join(', ')} on port ${port}, calls to ${path.directAddress}; sidecars (client side -> server side): nghttpx ${path.proxies.sidecars.map((p) => `127.0.0.1:${p.ports[0]}`).join(' -> ')}, with mTLS ${path.proxies['sidecars-mtls'].map((p) => `127.0.0.1:${p.ports[0]}`).join(' -> ')}`,
    );
    const all = new Map<ProxyBenchKind, KindRun[]>(KINDS.map((k) => [k, []]));
    for (let i = 0; i < settings.runs; i++) {
      for (const kind of KINDS) {
        const r = await runKind(kind, settings, path);
        all.get(kind)!.push(r);
        console.log(
          `run ${i + 1} ${kind}: p50 ${ms(r.sequential.p50Ms)} ms, p99 ${ms(r.sequential.p99Ms)} ms (client CPU ${(r.sequential.cpuMicros / r.sequential.calls).toFixed(0)} us/call one at a time), ${r.throughput.toFixed(0)} req/s, CPU ${(r.cpu.client + r.cpu.server + r.cpu.proxies).toFixed(0)} us/call`,
        );
      }
    }
    const results = new Map([...all].map(([k, runs]) => [k, medianOf(runs)]));
    printTable(results, settings);
    printFigures('Proxyless vs sidecars (targets from issue 17)', figures(results));
  } finally {
    await Promise.all(proxies.map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
    await providers?.stop();
    await cp.stop();
  }
}

export const proxySuite: Suite = {
  description: 'proxyless vs two sidecar hops (nghttpx) vs direct: latency, throughput, CPU and RSS per call',
  async run(args) {
    const settings = settingsFrom(args);
    console.log(machineLine('proxy'));
    await run(settings);
  },
};
