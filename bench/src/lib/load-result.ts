// What one load run measured, whichever tool produced it, and the median over repeated runs.

import { median } from './stats.js';

export interface LoadResult {
  requestsPerSecond: number;
  meanMs: number;
  p99Ms: number;
  /** Median latency, where a section compares it. */
  p50Ms?: number;
  /**
   * CPU time the measured process spent per request (µs, user + system). Unlike req/s it barely
   * moves when other work shares the machine, so it is the steadier figure on a busy host.
   */
  cpuMicrosPerRequest?: number;
}

/** The run with the median throughput, so its latency figures belong to the same run. */
export function medianRun(runs: readonly LoadResult[]): LoadResult {
  const rps = median(runs.map((r) => r.requestsPerSecond));
  return runs.reduce((best, r) =>
    Math.abs(r.requestsPerSecond - rps) < Math.abs(best.requestsPerSecond - rps) ? r : best,
  );
}
