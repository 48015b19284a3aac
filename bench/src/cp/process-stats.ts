// What the cp suite reads from the processes it measures: memory after an optional full GC (the
// process needs --expose-gc for that), with the physical size of V8's heap spaces, and CPU time so far.

import v8 from 'node:v8';

export interface ProcessStats {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  /** Physical (resident) bytes of V8's young generation: it grows with the allocation rate. */
  newSpacePhysical: number;
  /** Physical bytes of every other V8 heap space (old, code, large objects, maps…). */
  otherSpacesPhysical: number;
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
  let newSpacePhysical = 0;
  let otherSpacesPhysical = 0;
  for (const space of v8.getHeapSpaceStatistics()) {
    if (space.space_name === 'new_space') newSpacePhysical += space.physical_space_size;
    else otherSpacesPhysical += space.physical_space_size;
  }
  return {
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    newSpacePhysical,
    otherSpacesPhysical,
    cpuMicros: cpu.user + cpu.system,
    streams,
  };
}

export interface MemoryPerStream {
  rssKb: number;
  heapKb: number;
  /** Young-generation growth: heap slack from allocation bursts, not objects a stream keeps. */
  newSpaceKb: number;
  /** RSS that is neither V8's heap: node:http2/nghttp2, sockets, malloc. */
  nativeKb: number;
}

/** Growth from `before` to `after`, per stream, in KiB. */
export function memoryPerStream(before: ProcessStats, after: ProcessStats, streams: number): MemoryPerStream {
  const kb = (bytes: number) => bytes / streams / 1024;
  const heapPhysical = (s: ProcessStats) => s.newSpacePhysical + s.otherSpacesPhysical;
  return {
    rssKb: kb(after.rss - before.rss),
    heapKb: kb(after.heapUsed - before.heapUsed),
    newSpaceKb: kb(after.newSpacePhysical - before.newSpacePhysical),
    nativeKb: kb(after.rss - heapPhysical(after) - (before.rss - heapPhysical(before))),
  };
}
