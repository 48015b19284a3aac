// One weight push, measured: every simulated stream is armed, the new VirtualService weight is
// applied, and the time from the apply to each stream's new RouteConfiguration is collected, with
// the control plane's CPU over the push (one control plane, or the one the apply went through).

import { median, percentile } from '../lib/stats.js';
import type { CollectAnswer } from './ads-sim-main.js';
import type { ApplyAnswer, ControlPlaneReady } from './control-plane-main.js';
import { expectedWeights, weightsYaml } from './cp-config.js';
import type { Figure } from './figures.js';
import type { ChildHandle } from './ipc.js';
import type { ProcessStats } from './process-stats.js';

export interface Push {
  weight: number;
  p50: number;
  p99: number;
  max: number;
  /** Control-plane CPU from the apply until every stream had the route and ACKed it, ms. */
  cpuMs: number;
  /** CPU of the client processes over the same span, ms. */
  clientCpuMs: number;
}

export async function push(
  cp: ChildHandle<ControlPlaneReady>,
  sims: ChildHandle<unknown>[],
  weight: number,
  streams: number,
): Promise<Push> {
  await Promise.all(sims.map((s) => s.request('arm')));
  const cpuBefore = (await cp.request<ProcessStats>('stats')).cpuMicros;
  const applied = await cp.request<ApplyAnswer>('apply', weightsYaml(weight));
  const answers = await Promise.all(
    sims.map((s) =>
      s.request<CollectAnswer>('collect', { weights: expectedWeights(weight), timeoutMs: 30_000 }),
    ),
  );
  // ACKs of the push are part of its cost: let them arrive before reading the CPU time.
  await new Promise((r) => setTimeout(r, 300));
  const cpuAfter = (await cp.request<ProcessStats>('stats')).cpuMicros;
  const missing = answers.reduce((n, a) => n + a.missing, 0);
  const wrong = answers.flatMap((a) => a.wrong);
  if (missing > 0)
    throw new Error(`push of weight ${weight}: ${missing} of ${streams} streams got no new route in 30 s`);
  if (wrong.length > 0)
    throw new Error(`push of weight ${weight}: streams got other weights, e.g. ${wrong[0]}`);
  const latencies = answers.flatMap((a) => a.arrivals.map((t) => t - applied.at));
  if (latencies.length !== streams)
    throw new Error(`push: ${latencies.length} arrivals for ${streams} streams`);
  return {
    weight,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: percentile(latencies, 100),
    cpuMs: (cpuAfter - cpuBefore) / 1000,
    clientCpuMs: answers.reduce((n, a) => n + a.cpuMicros, 0) / 1000,
  };
}

/** The push figures both cp suites report: p99 over the pushes (median, and the worst), target < 1 s. */
export function pushP99Figures(pushes: readonly Push[], what: string): Figure[] {
  return [
    {
      name: `${what} p99 (median of pushes)`,
      value: median(pushes.map((p) => p.p99)),
      unit: 'ms',
      target: { op: '<', value: 1000 },
    },
    {
      name: `${what} p99 (worst push)`,
      value: Math.max(...pushes.map((p) => p.p99)),
      unit: 'ms',
      target: { op: '<', value: 1000 },
    },
  ];
}
