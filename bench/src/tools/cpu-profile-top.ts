// Prints the hottest functions of a V8 CPU profile (`node --cpu-prof`): self time and total
// time (self plus callees) per function, to find what to optimise after a benchmark run.
// Usage: node bench/dist/tools/cpu-profile-top.js FILE.cpuprofile [rows]

import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^.*\/(node_modules|packages|bench)\//, '$1/').replace(/^node:/, '');
  return `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
}

function main(path: string | undefined, rows: number): void {
  if (!path) throw new Error('usage: cpu-profile-top FILE.cpuprofile [rows]');
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    all += dt;
    const node = byId.get(id)!;
    self.set(frameName(node), (self.get(frameName(node)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = frameName(byId.get(at)!);
      if (seen.has(name)) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + dt);
    }
  });
  const pct = (t: number) => `${((100 * t) / all).toFixed(1).padStart(5)}%`;
  const print = (title: string, map: Map<string, number>) => {
    console.log(`\n${title} (of ${(all / 1000).toFixed(0)} ms)`);
    for (const [name, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, rows))
      console.log(`${pct(t)}  ${name}`);
  };
  print('self time', self);
  print('total time', total);
}

main(process.argv[2], Number(process.argv[3] ?? 40));
