// What the cp suite reads from the processes it measures: memory after an optional full GC (the
// process needs --expose-gc for that) and CPU time so far.

export interface ProcessStats {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  /** User + system CPU time since the process started, µs. */
  cpuMicros: number;
  /** Streams the server holds. */
  streams: number;
}

export function processStats(collect: boolean | undefined, streams: number): ProcessStats {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (collect && gc) {
    gc();
    gc();
  }
  const m = process.memoryUsage();
  const cpu = process.cpuUsage();
  return {
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    cpuMicros: cpu.user + cpu.system,
    streams,
  };
}
