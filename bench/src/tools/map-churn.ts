// Why a connection's open streams are not in a Map (bench/README.md, "Garbage a Map kept alive"):
// calls the way a client makes them (50 in flight, a promise each, answers in batches), each call
// entered in a long-lived table by a rising odd id and removed when answered, once with a Map and
// once with @shoal/http2's StreamTable, each in its own process after one full GC (which any
// process with some live data gets). V8 links every hash table a Map leaves behind to its
// successor, so after that GC the Map's promoted table keeps all later tables, and every call
// they held, alive through young-generation GCs. Prints CPU and GC time per call and the full GCs
// it took, the StreamTable's figures beside the Map's.
// Usage: node bench/dist/tools/map-churn.js [calls, default 1000000]

import { fork } from 'node:child_process';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { StreamTable } from '@shoal/http2';

interface Call {
  readonly id: number;
  readonly resolve: () => void;
  readonly state: { parts: number[][] };
}

interface Table {
  set(call: Call): void;
  get(id: number): Call | undefined;
  delete(id: number): void;
}

function mapTable(): Table {
  const map = new Map<number, Call>();
  return {
    set: (call) => map.set(call.id, call),
    get: (id) => map.get(id),
    delete: (id) => map.delete(id),
  };
}

interface ChurnResult {
  table: string;
  calls: number;
  cpuMicrosPerCall: number;
  gcMicrosPerCall: number;
  fullGcs: number;
}

const IN_FLIGHT = 50;

async function churn(kind: string, calls: number): Promise<ChurnResult> {
  const table: Table = kind === 'Map' ? mapTable() : new StreamTable<Call>();
  let nextId = 1;
  let answered: number[] = [];
  const call = () =>
    new Promise<void>((resolve) => {
      const id = nextId;
      nextId += 2;
      // About what one call's objects weigh: ~1 KB reachable from its table entry.
      const state = { parts: Array.from({ length: 8 }, (_, i) => [id, i, id + i]) };
      table.set({ id, resolve, state });
      answered.push(id);
    });
  let running = 0;
  const answer = () => {
    const batch = answered;
    answered = [];
    for (const id of batch) {
      const entry = table.get(id)!;
      table.delete(id);
      entry.resolve();
    }
    if (running > 0) setImmediate(answer);
  };
  const run = async (n: number) => {
    let left = n;
    running = IN_FLIGHT;
    setImmediate(answer);
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (left-- > 0) await call();
        running--;
      }),
    );
  };
  await run(calls / 10);
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
  let gcMs = 0;
  let fullGcs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcMs += e.duration;
      if ((e as unknown as { detail: { kind: number } }).detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR)
        fullGcs++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const cpu = process.cpuUsage();
  await run(calls);
  const used = process.cpuUsage(cpu);
  await new Promise((r) => setImmediate(r)); // the observer's last entries
  observer.disconnect();
  return {
    table: kind,
    calls,
    cpuMicrosPerCall: (used.user + used.system) / calls,
    gcMicrosPerCall: (gcMs * 1000) / calls,
    fullGcs,
  };
}

function inChild(kind: string, calls: number): Promise<ChurnResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--child', kind, String(calls)]);
    child.once('message', (m) => resolve(m as ChurnResult));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`${kind} run exited with ${code}`));
    });
  });
}

async function main(args: string[]): Promise<void> {
  if (args[0] === '--child') {
    const result = await churn(args[1]!, Number(args[2]));
    process.send!(result, () => process.exit(0));
    return;
  }
  const calls = Number(args[0] ?? 1_000_000);
  const map = await inChild('Map', calls);
  const table = await inChild('StreamTable', calls);
  console.log(`${calls.toLocaleString('en-US')} calls, ${IN_FLIGHT} in flight, after one full GC`);
  console.log('  table          CPU µs/call   GC µs/call   full GCs');
  for (const r of [map, table]) {
    console.log(
      `  ${r.table.padEnd(12)} ${r.cpuMicrosPerCall.toFixed(2).padStart(13)} ${r.gcMicrosPerCall.toFixed(2).padStart(12)} ${String(r.fullGcs).padStart(10)}`,
    );
  }
  console.log(
    `  StreamTable / Map: CPU ${(table.cpuMicrosPerCall / map.cpuMicrosPerCall).toFixed(2)}x, GC ${(table.gcMicrosPerCall / map.gcMicrosPerCall).toFixed(2)}x`,
  );
}

main(process.argv.slice(2)).catch((err: Error) => {
  console.error(err.stack ?? String(err));
  process.exit(1);
});
