// Prints benchmark figures: each measured row, then each comparison as a ratio beside its
// target, and a closing summary table (Markdown, so it can go into bench/README.md as is).

import type { LoadResult } from './load-result.js';

export interface Comparison {
  name: string;
  subject: string;
  subjectResult: LoadResult;
  peer: string;
  peerResult: LoadResult;
  /** The subject must reach at least this multiple of the peer's figure; none for a reference figure. */
  target?: number;
  /**
   * What the target is on: requests per second (default), requests per CPU second (`cpu`: CPU
   * per request, the peer's over the subject's), or median latency (`p50`: the peer's over the
   * subject's, so 2x means half the latency).
   */
  basis?: 'rps' | 'cpu' | 'p50';
}

export function ratio(c: Comparison): number {
  return c.subjectResult.requestsPerSecond / c.peerResult.requestsPerSecond;
}

/** The ratio the target is on. */
export function targetRatio(c: Comparison): number | undefined {
  if (c.basis === 'cpu') return cpuRatio(c);
  if (c.basis === 'p50') {
    const subject = c.subjectResult.p50Ms;
    const peer = c.peerResult.p50Ms;
    return subject && peer ? peer / subject : undefined;
  }
  return ratio(c);
}

/** Requests per CPU second relative to the peer's: the peer's CPU per request over the subject's. */
export function cpuRatio(c: Comparison): number | undefined {
  const subject = c.subjectResult.cpuMicrosPerRequest;
  const peer = c.peerResult.cpuMicrosPerRequest;
  return subject && peer ? peer / subject : undefined;
}

/** Whether the target is met; undefined for a reference figure. */
export function passed(c: Comparison): boolean | undefined {
  if (c.target === undefined) return undefined;
  const r = targetRatio(c);
  return r !== undefined && r >= c.target;
}

const basisName = (c: Comparison) =>
  c.basis === 'cpu' ? ' per CPU second' : c.basis === 'p50' ? ' by p50 latency' : '';

const verdict = (c: Comparison) => {
  const ok = passed(c);
  return ok === undefined ? 'reference' : ok ? 'pass' : 'FAIL';
};

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const cpuCell = (r: LoadResult) =>
  r.cpuMicrosPerRequest === undefined ? '-' : fmt(r.cpuMicrosPerRequest, 1);

const columns = (cells: string[], width: number) =>
  `  ${cells[0]!.padEnd(width)}${cells
    .slice(1)
    .map((c) => c.padStart(11))
    .join('')}`;

export function printSection(title: string, rows: [string, LoadResult][], comparisons: Comparison[]): void {
  const width = Math.max(...rows.map(([name]) => name.length), ...comparisons.map((c) => c.peer.length + 9));
  console.log(`\n${title}`);
  console.log(columns(['participant', 'req/s', 'mean ms', 'p99 ms', 'cpu us/req'], width));
  for (const [name, r] of rows) {
    const cells = [fmt(r.requestsPerSecond), fmt(r.meanMs, 2), fmt(r.p99Ms, 2), cpuCell(r)];
    console.log(columns([name, ...cells], width));
  }
  for (const c of comparisons) {
    const cpu = cpuRatio(c);
    const line = columns([`${c.subject} / ${c.peer}`, `${ratio(c).toFixed(2)}x`], width);
    const perCpu = cpu === undefined ? '' : `  (per CPU second: ${cpu.toFixed(2)}x)`;
    const p50 =
      c.basis === 'p50'
        ? `  (p50 ${fmt(c.subjectResult.p50Ms ?? 0, 3)} vs ${fmt(c.peerResult.p50Ms ?? 0, 3)} ms: ${targetRatio(c)?.toFixed(2)}x)`
        : '';
    const target = c.target === undefined ? '' : `${p50}  target >= ${c.target}x${basisName(c)}`;
    console.log(`${line}${target}  ${verdict(c)}${perCpu}`);
  }
}

/** mean / p99 ms, or p50 / p99 where the comparison is on the median. */
const latencyCell = (c: Comparison, r: LoadResult) =>
  c.basis === 'p50'
    ? `p50 ${fmt(r.p50Ms ?? 0, 3)} / ${fmt(r.p99Ms, 2)}`
    : `${fmt(r.meanMs, 2)} / ${fmt(r.p99Ms, 2)}`;

export function printSummary(comparisons: Comparison[]): void {
  console.log(
    '\n| comparison | req/s | peer req/s | mean / p99 ms | peer mean / p99 ms | ratio | target | result | CPU µs/req (peer) | per-CPU ratio |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---|---:|---:|');
  for (const c of comparisons) {
    const s = c.subjectResult;
    const p = c.peerResult;
    const cells = [
      `${c.name}: ${c.subject} vs ${c.peer}`,
      fmt(s.requestsPerSecond),
      fmt(p.requestsPerSecond),
      latencyCell(c, s),
      latencyCell(c, p),
      `${ratio(c).toFixed(2)}x`,
      c.target === undefined ? '' : `>= ${c.target}x${basisName(c)}`,
      verdict(c),
      `${cpuCell(s)} (${cpuCell(p)})`,
      `${cpuRatio(c)?.toFixed(2) ?? '-'}x`,
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
}
