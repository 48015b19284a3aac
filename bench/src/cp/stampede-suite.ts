// `npm run bench -- cp --stampede` (issue 15): how clients come back to a control plane that was
// down. `clients` clients hold ADS streams and reconnect on @shoal/xds's own Backoff (full jitter,
// capped at 4 s; backoff-clients-main.ts); the control plane is killed, stays down for `outage`
// seconds, and starts again on the same port. Its stream count is read every 100 ms: the time
// until every client is back, and the arrivals per second at their peak, against what arriving
// all at once would be. (10,000 full XdsClients in 4 processes on 2 cores spend the outage
// saturating those cores with their own retries, which 10,000 separate processes would not.)

import { performance } from 'node:perf_hooks';
import { percentile } from '../lib/stats.js';
import type { ControlPlaneReady } from './control-plane-main.js';
import { LISTENER, REGISTRY_YAML, weightsYaml } from './cp-config.js';
import { type Figure, printFigures } from './figures.js';
import { type ChildHandle, spawnChild, wallMs } from './ipc.js';

const controlPlaneMain = new URL('./control-plane-main.js', import.meta.url);
const clientsMain = new URL('./backoff-clients-main.js', import.meta.url);

export interface StampedeSettings {
  clients: number;
  procs: number;
  outageS: number;
  /** When set, the returning control plane writes a V8 CPU profile here when it stops. */
  profileDir: string | undefined;
}

async function startControlPlane(
  port: number,
  execArgv: string[] = [],
): Promise<ChildHandle<ControlPlaneReady>> {
  const cp = await spawnChild<ControlPlaneReady>(controlPlaneMain, ['--xds-port', String(port)], {
    readyTimeoutMs: 60_000,
    execArgv,
  });
  await cp.request('apply', `${REGISTRY_YAML}---\n${weightsYaml(90)}`);
  return cp;
}

export async function runStampede(settings: StampedeSettings): Promise<void> {
  let cp = await startControlPlane(0);
  const port = cp.ready.xdsPort;
  const procs: ChildHandle<unknown>[] = [];
  try {
    const per = Math.ceil(settings.clients / settings.procs);
    for (let i = 0; i < settings.procs; i++) {
      const count = Math.min(per, settings.clients - i * per);
      procs.push(
        await spawnChild(clientsMain, [
          JSON.stringify({ xdsPort: port, count, listener: LISTENER, idPrefix: `c${i}` }),
        ]),
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
    cp = await startControlPlane(port, profile);
    const backAt = performance.now();
    const backWall = wallMs();
    const samples: { at: number; streams: number }[] = [];
    const deadline = backAt + 30_000;
    for (;;) {
      const streams = await cp.request<number>('streams');
      samples.push({ at: performance.now() - backAt, streams });
      if (streams >= settings.clients || performance.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // When each client's own schedule found the control plane (it then connects and syncs, as fast as
    // the control plane takes new streams).
    const found = (await Promise.all(procs.map((p) => p.request<number[]>('found')))).flat();
    const foundWithin5s = found.filter((t) => t - backWall <= 5000).length / settings.clients;
    const after = found.map((t) => t - backWall);
    console.log(
      `first try that found it, after its return: p50 ${percentile(after, 50).toFixed(0)} ms, p90 ${percentile(after, 90).toFixed(0)} ms, max ${percentile(after, 100).toFixed(0)} ms (${found.length} clients)`,
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
      { name: 'share of clients with a stream again within 5 s', value: within5s * 100, unit: '%' },
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
  }
}
