// `npm run bench -- cp --stampede` (issue 15): how clients come back to a control plane that was
// down. `clients` clients hold ADS streams and reconnect on @shoal/xds's own Backoff (full jitter,
// capped at 4 s; backoff-clients-main.ts); the control plane is killed, stays down for `outage`
// seconds, and starts again on the same port and data dir, with what was applied before (as
// `shoal cp` does). From the moment it is ready, its stream count is read every 100 ms: the time
// until every client is back, and the arrivals per second at their peak, against what arriving
// all at once would be; each client says when it had the whole config again (listener to
// endpoints), and the CPU the control plane and the clients spent on the return is divided by the
// clients. (10,000 full XdsClients in 4 processes on 2 cores spend the outage
// saturating those cores with their own retries, which 10,000 separate processes would not.)

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { percentile } from '../lib/stats.js';
import type { ControlPlaneReady } from './control-plane-main.js';
import { LISTENER, REGISTRY_YAML, weightsYaml } from './cp-config.js';
import { type Figure, printFigures } from './figures.js';
import { type ChildHandle, spawnChild, wallMs } from './ipc.js';
import type { ProcessStats } from './process-stats.js';

const controlPlaneMain = new URL('./control-plane-main.js', import.meta.url);
const clientsMain = new URL('./backoff-clients-main.js', import.meta.url);

export interface StampedeSettings {
  clients: number;
  procs: number;
  outageS: number;
  /** When set, the returning control plane writes a V8 CPU profile here when it stops, and the first
   * client process one in `clients/`. */
  profileDir: string | undefined;
}

function startControlPlane(
  port: number,
  dataDir: string,
  execArgv: string[] = [],
): Promise<ChildHandle<ControlPlaneReady>> {
  return spawnChild<ControlPlaneReady>(
    controlPlaneMain,
    ['--xds-port', String(port), '--data-dir', dataDir],
    { readyTimeoutMs: 60_000, execArgv },
  );
}

export async function runStampede(settings: StampedeSettings): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'shoal-stampede-'));
  let cp = await startControlPlane(0, dataDir);
  await cp.request('apply', `${REGISTRY_YAML}---\n${weightsYaml(90)}`);
  const port = cp.ready.xdsPort;
  const procs: ChildHandle<unknown>[] = [];
  const clientsCpu = async () =>
    (await Promise.all(procs.map((p) => p.request<number>('cpu')))).reduce((a, b) => a + b, 0);
  try {
    const per = Math.ceil(settings.clients / settings.procs);
    for (let i = 0; i < settings.procs; i++) {
      const count = Math.min(per, settings.clients - i * per);
      procs.push(
        await spawnChild(
          clientsMain,
          [JSON.stringify({ xdsPort: port, count, listener: LISTENER, idPrefix: `c${i}` })],
          // The first client process is profiled too (its profile covers the whole run).
          i === 0 && settings.profileDir
            ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${settings.profileDir}/clients`] }
            : {},
        ),
      );
    }
    await Promise.all(procs.map((p) => p.request('connect', undefined, 600_000)));
    console.log(
      `${settings.clients} clients connected (reconnecting on @shoal/xds's Backoff); control plane down for ${settings.outageS} s`,
    );
    process.kill(cp.pid, 'SIGKILL');
    await cp.stop();
    await new Promise((r) => setTimeout(r, settings.outageS * 1000));
    const started = performance.now();
    const profile = settings.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${settings.profileDir}`] : [];
    cp = await startControlPlane(port, dataDir, profile);
    const backAt = performance.now();
    const backWall = wallMs();
    // Asked now, awaited later: the client processes are busy retrying and answer late, and the
    // stream count must be sampled from the start.
    const cpuBack = cp.request<ProcessStats>('stats').then((s) => s.cpuMicros);
    const clientsCpuBack = clientsCpu();
    const samples: { at: number; streams: number }[] = [];
    const deadline = backAt + 30_000;
    for (;;) {
      const streams = await cp.request<number>('streams');
      samples.push({ at: performance.now() - backAt, streams });
      if (streams >= settings.clients || performance.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // Every stream open is not yet every client synced: wait for the clients' own word.
    const syncedTimes = async () =>
      (await Promise.all(procs.map((p) => p.request<number[]>('synced')))).flat();
    let synced = await syncedTimes();
    while (synced.length < settings.clients && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      synced = await syncedTimes();
    }
    const cpuPerClient =
      ((await cp.request<ProcessStats>('stats')).cpuMicros - (await cpuBack)) / settings.clients;
    const clientsCpuPerClient = ((await clientsCpu()) - (await clientsCpuBack)) / settings.clients;
    // When each client's own schedule found the control plane (it then connects and syncs, as fast as
    // the control plane takes new streams).
    const found = (await Promise.all(procs.map((p) => p.request<number[]>('found')))).flat();
    const foundWithin5s = found.filter((t) => t - backWall <= 5000).length / settings.clients;
    const after = found.map((t) => t - backWall);
    console.log(
      `first try that found it, after its return: p50 ${percentile(after, 50).toFixed(0)} ms, p90 ${percentile(after, 90).toFixed(0)} ms, max ${percentile(after, 100).toFixed(0)} ms (${found.length} clients)`,
    );
    const failures = new Map<string, number>();
    for (const p of procs)
      for (const [text, n] of await p.request<[string, number][]>('failures'))
        failures.set(text, (failures.get(text) ?? 0) + n);
    console.log(
      `failed tries since the outage began, by reason: ${[...failures].map(([t, n]) => `${n} × ${t}`).join('; ') || 'none'}`,
    );
    const syncedAfter = synced.map((t) => t - backWall);
    console.log(
      `whole config again, after its return: p50 ${percentile(syncedAfter, 50).toFixed(0)} ms, p90 ${percentile(syncedAfter, 90).toFixed(0)} ms, max ${percentile(syncedAfter, 100).toFixed(0)} ms (${synced.length} clients)`,
    );
    const last = samples.at(-1)!;
    const allBackMs = last.streams >= settings.clients ? last.at : Number.NaN;
    const within5s = (samples.filter((s) => s.at <= 5000).at(-1)?.streams ?? 0) / settings.clients;
    // Peak arrivals over any 500 ms window, as a rate.
    let peak = 0;
    for (const s of samples) {
      const earlier = [...samples].reverse().find((x) => x.at <= s.at - 500);
      if (earlier) peak = Math.max(peak, ((s.streams - earlier.streams) * 1000) / 500);
    }
    const buckets = new Map<number, number>();
    let prev = 0;
    for (const s of samples) {
      const b = Math.floor(s.at / 500) * 0.5;
      buckets.set(b, (buckets.get(b) ?? 0) + s.streams - prev);
      prev = s.streams;
    }
    console.log(
      `back on ${(backAt - started).toFixed(0)} ms after its start; streams back per 0.5 s: ${[...buckets]
        .map(([t, n]) => `${t.toFixed(1)}s:${n}`)
        .join(' ')}`,
    );
    const figures: Figure[] = [
      {
        name: `every client back after ${settings.outageS} s down`,
        value: allBackMs,
        unit: 'ms',
        target: { op: '<', value: 5000 },
      },
      {
        name: 'share of clients whose retries found it within 5 s of its return',
        value: foundWithin5s * 100,
        unit: '%',
        target: { op: '>=', value: 100 },
      },
      {
        name: 'every client with the whole config again',
        value: synced.length >= settings.clients ? percentile(syncedAfter, 100) : Number.NaN,
        unit: 'ms',
        target: { op: '<', value: 5000 },
      },
      {
        name: 'share of clients with the whole config again within 5 s',
        value: (syncedAfter.filter((t) => t <= 5000).length / settings.clients) * 100,
        unit: '%',
        target: { op: '>=', value: 100 },
      },
      { name: 'share of clients with a stream again within 5 s', value: within5s * 100, unit: '%' },
      { name: 'control-plane CPU per returning client', value: cpuPerClient, unit: 'us' },
      { name: 'client processes CPU per returning client', value: clientsCpuPerClient, unit: 'us' },
      {
        name: 'peak reconnects per second (over 0.5 s)',
        value: peak,
        unit: '/s',
        peer: { name: 'all at once (in one 0.5 s window)', value: settings.clients * 2 },
      },
    ];
    printFigures(
      `Reconnect after an outage: ${settings.clients} clients, ${settings.outageS} s down`,
      figures,
    );
  } finally {
    await Promise.all(procs.map((p) => p.request('close', undefined, 10_000).catch(() => {})));
    await Promise.all(procs.map((p) => p.stop()));
    await cp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
