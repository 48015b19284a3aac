// Prints single benchmark figures (a latency, a size, a cost) beside their peer's figure or their
// target, with the ratio and pass/fail; then the same as a Markdown table for bench/README.md.

export interface Target {
  op: '<' | '<=' | '>' | '>=';
  value: number;
}

export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** What the figure is compared with: the same figure measured on a peer. */
  peer?: { name: string; value: number };
  /** Pass/fail bound, on the value (or on value / peer when `onRatio`). */
  target?: Target;
  onRatio?: boolean;
}

export function meets(value: number, t: Target): boolean {
  switch (t.op) {
    case '<':
      return value < t.value;
    case '<=':
      return value <= t.value;
    case '>':
      return value > t.value;
    case '>=':
      return value >= t.value;
  }
}

const num = (n: number) =>
  Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2);

function cells(f: Figure): string[] {
  const ratio = f.peer ? f.value / f.peer.value : undefined;
  const checked = f.onRatio ? ratio : f.value;
  const verdict = f.target && checked !== undefined ? (meets(checked, f.target) ? 'pass' : 'FAIL') : '';
  const target = f.target
    ? `${f.onRatio ? 'ratio ' : ''}${f.target.op} ${num(f.target.value)}${f.onRatio ? 'x' : ` ${f.unit}`}`
    : '';
  return [
    f.name,
    `${num(f.value)} ${f.unit}`,
    f.peer ? `${f.peer.name}: ${num(f.peer.value)} ${f.unit}` : '',
    ratio !== undefined
      ? `${ratio.toFixed(2)}x`
      : f.target && !f.onRatio
        ? `${(f.value / f.target.value).toFixed(2)}x of target`
        : '',
    target,
    verdict,
  ];
}

export function printFigures(title: string, figures: readonly Figure[]): void {
  console.log(`\n${title}`);
  const rows = figures.map(cells);
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows)
    console.log(
      `  ${r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd()}`,
    );
  console.log('\n| figure | value | peer | ratio | target | result |');
  console.log('|---|---:|---:|---:|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}
