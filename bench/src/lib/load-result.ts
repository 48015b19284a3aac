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

/**
 * The run with the median of `figure` (throughput unless told), so the other figures printed beside
 * it belong to the same run.
 */
export function medianRun<T extends LoadResult>(
  runs: readonly T[],
  figure: (run: T) => number = (r) => r.requestsPerSecond,
): T {
  const mid = median(runs.map(figure));
  return runs.reduce((best, r) => (Math.abs(figure(r) - mid) < Math.abs(figure(best) - mid) ? r : best));
}
