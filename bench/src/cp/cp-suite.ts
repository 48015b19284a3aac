// The control-plane suite (issue 3, "Performance"): N simulated proxyless clients hold SotW ADS
// streams to Shoal's control plane, all on one service; a new VirtualService weight is applied
// and the time until every stream has the new RouteConfiguration is measured, with the control
// plane's memory per stream and CPU per push. The control plane runs alone in its own process;
// the clients run in `--procs` others, each stream on its own HTTP/2 connection.

import { machineLine } from '../lib/machine.js';
import { choice, flag, int, parseOptions, path } from '../lib/options.js';
import { median } from '../lib/stats.js';
import type { Suite } from '../lib/suite.js';
import type { ConnectAnswer } from './ads-sim-main.js';
import type { ControlPlaneReady } from './control-plane-main.js';
import { LISTENER, REGISTRY_YAML, weightsYaml } from './cp-config.js';
import { type Figure, printFigures } from './figures.js';
import { type ChildHandle, spawnChild } from './ipc.js';
import { type MemoryPerStream, memoryPerStream, type ProcessStats } from './process-stats.js';
import { type Push, push, pushP99Figures } from './push-latency.js';
import { runReplicas } from './replicas-suite.js';
import { runStampede } from './stampede-suite.js';

const controlPlaneMain = new URL('./control-plane-main.js', import.meta.url);
const simMain = new URL('./ads-sim-main.js', import.meta.url);
const floorMain = new URL('./h2-floor-main.js', import.meta.url);

/**
 * Idle time before the baseline memory reading (no stream yet) and the settled one (every stream,
 * after the pushes). V8 grows its young generation during a burst of allocation (start-up, 1,000
 * streams connecting) and gives it back once the process is idle (its memory reducer runs a few
 * seconds after the last full GC). A baseline taken right after start-up holds start-up's slack,
 * which the streams' figure then inherits or, once V8 gives it back, loses.
 */
const SETTLE_MS = 10_000;

/** Weights (percent to v1) of successive pushes; the streams start at 90. */
const PUSH_WEIGHTS = [80, 70, 60, 50, 40, 30, 20, 10];

interface Settings {
  /** `--replicas N --store etcd`: replicas on a local etcd (replicas-suite.ts). */
  replicas: number;
  /** `--stampede`: reconnects after an outage (stampede-suite.ts). */
  stampede: boolean;
  services: number;
  outageS: number;
  streams: number;
  procs: number;
  pushes: number;
  /** When set, the control-plane process writes a V8 CPU profile here. */
  profileDir: string | undefined;
  /** When set, a heap snapshot of the control plane with every stream connected is written here. */
  heapSnapshot: string | undefined;
}

function settingsFrom(args: string[]): Settings {
  const o = parseOptions(args, {
    streams: int(1000, 20_000),
    procs: int(2, 8),
    pushes: int(5, PUSH_WEIGHTS.length),
    'cpu-prof-dir': path(),
    'heap-snapshot': path(),
    replicas: int(1, 9),
    store: choice('etcd'),
    services: int(1000, 10_000),
    stampede: flag(),
    outage: int(30, 600),
  });
  if (o.replicas > 1 && o.store !== 'etcd')
    throw new Error('--replicas needs --store etcd (a local 3-member etcd the benchmark starts)');
  const { streams, procs, pushes, replicas, services, stampede } = o;
  return {
    replicas,
    stampede,
    services,
    outageS: o.outage,
    streams,
    procs,
    pushes,
    profileDir: o['cpu-prof-dir'],
    heapSnapshot: o['heap-snapshot'],
  };
}

/**
 * RSS per connection of a bare node:http2 server holding `streams` connections, each with one open
 * stream that got headers and a small message: Node's own cost per ADS client, the floor under
 * the control plane's figure.
 */
async function http2Floor(
  settings: Settings,
): Promise<{ atOnce: MemoryPerStream; settled: MemoryPerStream }> {
  const server = await spawnChild<{ port: number }>(floorMain, ['server'], { execArgv: ['--expose-gc'] });
  const clients: ChildHandle<unknown>[] = [];
  try {
    // The baseline is settled: start-up's own young-generation slack is given back first.
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const before = await server.request<ProcessStats>('stats', { collect: true });
    const per = Math.ceil(settings.streams / settings.procs);
    for (let i = 0; i < settings.procs; i++) {
      const count = Math.min(per, settings.streams - i * per);
      clients.push(
        await spawnChild(floorMain, ['clients', String(server.ready.port), String(count)], {
          readyTimeoutMs: 180_000,
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 1000));
    const after = await server.request<ProcessStats>('stats', { collect: true });
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const settled = await server.request<ProcessStats>('stats', { collect: true });
    for (const s of [after, settled])
      if (s.streams !== settings.streams)
        throw new Error(`the http2 floor server holds ${s.streams} streams, expected ${settings.streams}`);
    return {
      atOnce: memoryPerStream(before, after, settings.streams),
      settled: memoryPerStream(before, settled, settings.streams),
    };
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
    await server.stop();
  }
}

async function run(settings: Settings): Promise<void> {
  const profile = settings.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${settings.profileDir}`] : [];
  const cp = await spawnChild<ControlPlaneReady>(controlPlaneMain, [], {
    execArgv: ['--expose-gc', ...profile],
  });
  const sims: ChildHandle<unknown>[] = [];
  try {
    await cp.request('apply', `${REGISTRY_YAML}---\n${weightsYaml(90)}`);
    // The baseline is settled: no stream yet, start-up's young-generation slack given back.
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const before = await cp.request<ProcessStats>('stats', { collect: true });
    const per = Math.ceil(settings.streams / settings.procs);
    for (let i = 0; i < settings.procs; i++) {
      const count = Math.min(per, settings.streams - i * per);
      const args = { xdsPort: cp.ready.xdsPort, streams: count, listener: LISTENER, idPrefix: `sim${i}` };
      sims.push(await spawnChild(simMain, [JSON.stringify(args)]));
    }
    const connected = await Promise.all(
      sims.map((s) => s.request<ConnectAnswer>('connect', undefined, 180_000)),
    );
    const syncMs = Math.max(...connected.map((c) => c.syncMs));
    await new Promise((r) => setTimeout(r, 1000));
    const after = await cp.request<ProcessStats>('stats', { collect: true });
    if (after.streams !== settings.streams)
      throw new Error(`the control plane holds ${after.streams} streams, expected ${settings.streams}`);
    console.log(
      `${settings.streams} streams in ${settings.procs} processes synced (LDS→RDS→CDS→EDS, all ACKed) in ${fmt(syncMs)} ms`,
    );

    const pushes: Push[] = [];
    // The first push after the sync (and the full GCs of the memory reading) runs colder than the
    // rest; it is printed but left out of the figures.
    for (const weight of [85, ...PUSH_WEIGHTS.slice(0, settings.pushes)]) {
      const p = await push(cp, sims, weight, settings.streams);
      if (weight !== 85) pushes.push(p);
      console.log(
        `  push v1=${weight}%${weight === 85 ? ' (warm-up, not counted)' : ''}: p50 ${fmt(p.p50)} ms, p99 ${fmt(p.p99)} ms, max ${fmt(p.max)} ms, control-plane CPU ${fmt(p.cpuMs)} ms, clients' CPU ${fmt(p.clientCpuMs)} ms`,
      );
    }
    // Settled memory: the streams still held, the pushes done, the process idle for a while.
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const settled = await cp.request<ProcessStats>('stats', { collect: true });
    if (settled.streams !== settings.streams)
      throw new Error(
        `the control plane holds ${settled.streams} streams after the pushes, expected ${settings.streams}`,
      );
    // Last: writing a snapshot leaves the process with tens of MB more RSS.
    if (settings.heapSnapshot)
      console.log(
        `heap snapshot: ${await cp.request<string>('heapSnapshot', { file: settings.heapSnapshot })}`,
      );
    // Closed before the floor is measured, so the two never share the machine.
    await Promise.all(
      sims.splice(0).map(async (s) => {
        await s.request('close', undefined, 5000).catch(() => {});
        await s.stop();
      }),
    );
    const floor = await http2Floor(settings);
    const atOnce = memoryPerStream(before, after, settings.streams);
    const calm = memoryPerStream(before, settled, settings.streams);
    console.log(`RSS per stream 1 s after the sync: ${breakdown(atOnce, floor.atOnce)}`);
    console.log(`RSS per stream settled (${SETTLE_MS / 1000} s idle): ${breakdown(calm, floor.settled)}`);
    const cpuMs = median(pushes.map((p) => p.cpuMs));
    const figures: Figure[] = [
      { name: 'push latency p50 (median of pushes)', value: median(pushes.map((p) => p.p50)), unit: 'ms' },
      ...pushP99Figures(pushes, 'push latency'),
      {
        name: 'control-plane RSS per stream, 1 s after the sync',
        value: atOnce.rssKb,
        unit: 'KB',
        peer: { name: 'bare node:http2, per connection', value: floor.atOnce.rssKb },
        target: { op: '<', value: 50 },
      },
      {
        name: `control-plane RSS per stream, settled (after the pushes, ${SETTLE_MS / 1000} s idle)`,
        value: calm.rssKb,
        unit: 'KB',
        peer: { name: 'bare node:http2, per connection', value: floor.settled.rssKb },
        target: { op: '<=', value: 25 }, // issue 14 (issue 3 asked < 50)
      },
      {
        name: 'control-plane JS heap per stream, 1 s after the sync',
        value: atOnce.heapKb,
        unit: 'KB',
        peer: { name: 'bare node:http2, per connection', value: floor.atOnce.heapKb },
      },
      { name: 'control-plane CPU per push (median)', value: cpuMs, unit: 'ms' },
      { name: 'control-plane CPU per stream per push', value: (cpuMs * 1000) / settings.streams, unit: 'us' },
      { name: 'initial sync of all streams', value: syncMs, unit: 'ms' },
    ];
    printFigures(
      `Control plane: ${settings.streams} SotW ADS streams on one service, ${settings.pushes} weight pushes (RSS ${mb(before.rss)} → ${mb(after.rss)} MB)`,
      figures,
    );
  } finally {
    await Promise.all(sims.map((s) => s.request('close', undefined, 5000).catch(() => {})));
    await Promise.all(sims.map((s) => s.stop()));
    await cp.stop();
  }
}

const fmt = (n: number) => n.toFixed(1);

/** "total = heap in use + young generation + outside V8's heap + other slack", beside the floor's. */
function breakdown(m: MemoryPerStream, floor: MemoryPerStream): string {
  const parts = (x: MemoryPerStream) =>
    `${fmt(x.rssKb)} KB = ${fmt(x.heapKb)} + ${fmt(x.newSpaceKb)} + ${fmt(x.nativeKb)} + ${fmt(x.rssKb - x.heapKb - x.newSpaceKb - x.nativeKb)}`;
  return `control plane ${parts(m)}; bare node:http2 ${parts(floor)} (JS heap in use + young generation + outside V8's heap + other heap slack)`;
}
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

export const cpSuite: Suite = {
  description: 'Shoal control plane: push latency to many ADS streams, memory and CPU per stream',
  async run(args) {
    const settings = settingsFrom(args);
    console.log(machineLine('cp'));
    if (settings.stampede) {
      await runStampede({
        clients: settings.streams,
        procs: settings.procs,
        outageS: settings.outageS,
        profileDir: settings.profileDir,
      });
    } else if (settings.replicas > 1) {
      await runReplicas({
        replicas: settings.replicas,
        streams: settings.streams,
        services: settings.services,
        procs: settings.procs,
        profileDir: settings.profileDir,
      });
    } else await run(settings);
  },
};
