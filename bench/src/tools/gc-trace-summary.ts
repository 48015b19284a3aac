// Sums up V8's GC trace (`--trace-gc-nvp`) of the mesh suite's load generators, run with
// `--trace-gc`: per load run, the measured part only (between load-main's markers), how many
// scavenges and mark-compacts there were, what a scavenge kept alive and promoted on average, and
// the pauses. It answers whether a client promotes its per-call garbage (issue 12's cost).
// Usage: node bench/dist/run.js mesh --only throughput --trace-gc ... | node bench/dist/tools/gc-trace-summary.js

import { createInterface } from 'node:readline';

interface RunGc {
  kind: string;
  scavenges: number;
  markCompacts: number;
  survivedBytes: number;
  promotedBytes: number;
  pauseMs: number;
}

/** The `name=value` pairs of one --trace-gc-nvp line. */
function fields(line: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of line.matchAll(/([\w.]+)=(\S+)/g)) out.set(m[1]!, m[2]!);
  return out;
}

async function main(): Promise<void> {
  const runs: RunGc[] = [];
  let current: RunGc | undefined;
  let measuring = false;
  for await (const line of createInterface({ input: process.stdin })) {
    const kind = /^# gc trace of a (\S+) run/.exec(line);
    if (kind) {
      current = {
        kind: kind[1]!,
        scavenges: 0,
        markCompacts: 0,
        survivedBytes: 0,
        promotedBytes: 0,
        pauseMs: 0,
      };
      runs.push(current);
      continue;
    }
    if (line.startsWith('# measured: ')) {
      measuring = line.endsWith('start');
      continue;
    }
    if (!measuring || current === undefined || !line.includes(' gc=')) {
      if (!line.includes(' gc=')) console.log(line);
      continue;
    }
    const f = fields(line);
    current.pauseMs += Number(f.get('pause') ?? 0);
    if (f.get('gc') === 's') {
      current.scavenges++;
      current.survivedBytes += Number(f.get('new_space_survived') ?? 0) + Number(f.get('promoted') ?? 0);
      current.promotedBytes += Number(f.get('promoted') ?? 0);
    } else current.markCompacts++;
  }
  console.log(
    '| client run | scavenges | kept alive per scavenge | promoted per scavenge | mark-compacts | GC pauses |',
  );
  console.log('|---|---:|---:|---:|---:|---:|');
  const kb = (bytes: number, n: number) => `${Math.round(bytes / Math.max(1, n) / 1024)} KB`;
  for (const r of runs)
    console.log(
      `| ${r.kind} | ${r.scavenges} | ${kb(r.survivedBytes, r.scavenges)} | ${kb(r.promotedBytes, r.scavenges)} | ${r.markCompacts} | ${Math.round(r.pauseMs)} ms |`,
    );
}

await main();
