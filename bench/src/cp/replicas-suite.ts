// `npm run bench -- cp --replicas N --store etcd` (issue 15, "Scale, measured"): N control-plane
// replicas (processes) on a local 3-member etcd cluster (Debian's etcd-server), a mesh of 1,000
// services, and 10,000 simulated ADS streams spread over the replicas. Measured: the push of a new
// weight applied through one replica to the streams of every replica (p99), RSS per stream per
// replica, etcd's committed proposals (writes) per second at steady state, and how long a replica
// started to replace a killed one takes to serve its first client.

import { performance } from 'node:perf_hooks';
import { LocalEtcdCluster } from '@shoal/control-plane';
import { median } from '../lib/stats.js';
import type { ConnectAnswer } from './ads-sim-main.js';
import type { ControlPlaneReady } from './control-plane-main.js';
import { LISTENER, REGISTRY_YAML, SERVICE_PORT, weightsYaml } from './cp-config.js';
import { type Figure, printFigures } from './figures.js';
import { type ChildHandle, spawnChild } from './ipc.js';
import { memoryPerStream, type ProcessStats } from './process-stats.js';
import { type Push, push, pushP99Figures } from './push-latency.js';

const controlPlaneMain = new URL('./control-plane-main.js', import.meta.url);
const simMain = new URL('./ads-sim-main.js', import.meta.url);
const PUSH_WEIGHTS = [80, 70, 60, 50, 40];
const SETTLE_MS = 10_000;
/** Objects per apply while loading the mesh: etcd takes 128 operations per transaction by default. */
const CHUNK = 100;

export interface ReplicaSettings {
  replicas: number;
  streams: number;
  services: number;
  procs: number;
  /** When set, every replica writes a V8 CPU profile here when it stops. */
  profileDir: string | undefined;
}

/** `services` ServiceEntries with two endpoints each (besides the pushed service). */
function meshYaml(from: number, to: number): string {
  const docs: string[] = [];
  for (let i = from; i < to; i++) {
    docs.push(`apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: svc-${i}, namespace: default }
spec:
  hosts: [svc-${i}.default.svc.cluster.local]
  ports: [{ number: ${SERVICE_PORT}, name: grpc, protocol: GRPC }]
  resolution: STATIC
  endpoints: [{ address: 10.1.${i >> 8}.${i & 255} }, { address: 10.2.${i >> 8}.${i & 255} }]`);
  }
  return docs.join('\n---\n');
}

/** Raft proposals etcd has committed (every write: puts, deletes, transactions, lease grants). */
async function committedProposals(etcd: LocalEtcdCluster): Promise<number> {
  let best = 0;
  for (const endpoint of etcd.endpoints) {
    try {
      const text = await (await fetch(`${endpoint}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
      const m = /^etcd_server_proposals_committed_total (\d+(?:\.\d+)?(?:e\+\d+)?)$/m.exec(text);
      if (m) best = Math.max(best, Number(m[1]));
    } catch {
      // a member that does not answer is skipped
    }
  }
  return best;
}

export async function runReplicas(settings: ReplicaSettings): Promise<void> {
  const etcd = await LocalEtcdCluster.start(3);
  const replicas: ChildHandle<ControlPlaneReady>[] = [];
  const sims: ChildHandle<unknown>[] = [];
  const profile = settings.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${settings.profileDir}`] : [];
  try {
    for (let i = 0; i < settings.replicas; i++)
      replicas.push(
        await spawnChild<ControlPlaneReady>(controlPlaneMain, ['--store', etcd.storeUrl], {
          execArgv: ['--expose-gc', ...profile],
          readyTimeoutMs: 60_000,
        }),
      );
    const first = replicas[0]!;
    for (let i = 0; i < settings.services; i += CHUNK)
      await first.request('apply', meshYaml(i, Math.min(settings.services, i + CHUNK)));
    await first.request('apply', `${REGISTRY_YAML}---\n${weightsYaml(90)}`);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const before = await Promise.all(
      replicas.map((r) => r.request<ProcessStats>('stats', { collect: true })),
    );

    const xdsPorts = replicas.map((r) => r.ready.xdsPort);
    const per = Math.ceil(settings.streams / settings.procs);
    for (let i = 0; i < settings.procs; i++) {
      const count = Math.min(per, settings.streams - i * per);
      const args = {
        xdsPort: xdsPorts[0],
        xdsPorts,
        streams: count,
        listener: LISTENER,
        idPrefix: `sim${i}`,
      };
      sims.push(await spawnChild(simMain, [JSON.stringify(args)]));
    }
    const connected = await Promise.all(
      sims.map((s) => s.request<ConnectAnswer>('connect', undefined, 600_000)),
    );
    const syncMs = Math.max(...connected.map((c) => c.syncMs));
    console.log(
      `${settings.streams} streams over ${settings.replicas} replicas synced in ${syncMs.toFixed(0)} ms`,
    );
    await new Promise((r) => setTimeout(r, 1000));
    const after = await Promise.all(replicas.map((r) => r.request<ProcessStats>('stats', { collect: true })));
    const rssPerStream = after.map((a, i) => memoryPerStream(before[i]!, a, a.streams).rssKb);
    console.log(
      `streams per replica: ${after.map((a) => a.streams).join(', ')}; RSS per stream: ${rssPerStream.map((k) => `${k.toFixed(1)} KB`).join(', ')}`,
    );

    const pushes: Push[] = [];
    const replicasCpu: number[] = [];
    const cpuOf = async () =>
      (await Promise.all(replicas.map((r) => r.request<ProcessStats>('stats')))).reduce(
        (n, s) => n + s.cpuMicros,
        0,
      );
    for (const weight of [85, ...PUSH_WEIGHTS]) {
      const cpuBefore = await cpuOf();
      const p = await push(first, sims, weight, settings.streams);
      const cpuMs = ((await cpuOf()) - cpuBefore) / 1000;
      if (weight !== 85) {
        pushes.push(p);
        replicasCpu.push(cpuMs);
      }
      console.log(
        `  push v1=${weight}%${weight === 85 ? ' (warm-up, not counted)' : ''} applied through replica 1: p50 ${p.p50.toFixed(1)} ms, p99 ${p.p99.toFixed(1)} ms, max ${p.max.toFixed(1)} ms; CPU of all replicas ${cpuMs.toFixed(0)} ms, of the clients ${p.clientCpuMs.toFixed(0)} ms`,
      );
    }

    // Steady state: streams held, nothing applied.
    const windowMs = 10_000;
    const p0 = await committedProposals(etcd);
    await new Promise((r) => setTimeout(r, windowMs));
    const p1 = await committedProposals(etcd);
    const writesPerSecond = ((p1 - p0) * 1000) / windowMs;
    console.log(
      `etcd: ${p1 - p0} proposals committed in ${windowMs / 1000} s of steady state (counter ${p0} → ${p1})`,
    );

    // A replica dies; a replacement starts and serves its first client.
    const victim = replicas.pop()!;
    process.kill(victim.pid, 'SIGKILL');
    const started = performance.now();
    const replacement = await spawnChild<ControlPlaneReady>(controlPlaneMain, ['--store', etcd.storeUrl], {
      readyTimeoutMs: 60_000,
    });
    replicas.push(replacement);
    const probe = await spawnChild(simMain, [
      JSON.stringify({
        xdsPort: replacement.ready.xdsPort,
        streams: 1,
        listener: LISTENER,
        idPrefix: 'probe',
      }),
    ]);
    sims.push(probe);
    await probe.request('connect', undefined, 60_000);
    const replacementMs = performance.now() - started;
    console.log(
      `replacement replica: process start to its first client synced in ${replacementMs.toFixed(0)} ms`,
    );

    const figures: Figure[] = [
      ...pushP99Figures(pushes, 'push applied on one replica, streams on every replica:'),
      {
        name: 'RSS per stream per replica (highest)',
        value: Math.max(...rssPerStream),
        unit: 'KB',
        target: { op: '<', value: 50 },
      },
      { name: 'CPU of all replicas per push (median)', value: median(replicasCpu), unit: 'ms' },
      {
        name: 'etcd writes (committed proposals) per second at steady state',
        value: writesPerSecond,
        unit: '/s',
      },
      { name: 'replacement replica: start to first client synced', value: replacementMs, unit: 'ms' },
      { name: `initial sync of ${settings.streams} streams`, value: syncMs, unit: 'ms' },
    ];
    printFigures(
      `Control plane: ${settings.replicas} replicas on a 3-member etcd, ${settings.services} services, ${settings.streams} SotW ADS streams`,
      figures,
    );
  } finally {
    await Promise.all(sims.map((s) => s.request('close', undefined, 5000).catch(() => {})));
    await Promise.all(sims.map((s) => s.stop()));
    await Promise.all(replicas.map((r) => r.stop()));
    await etcd.stop();
  }
}
