// CPU time and resident memory of a process and its children, by pid, from Linux's /proc (for
// participants that are not node processes answering over IPC, such as nghttpx, whose master
// process forks its worker).
// proc(5): /proc/PID/stat fields 4 (ppid) and 14-15 (utime, stime in clock ticks), VmRSS.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  return ticksPerSecond;
}

/** Fields 3 onwards of /proc/PID/stat (the command name, field 2, may hold spaces). */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The process and every process below it. */
function processTree(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      parentOf.set(Number(name), Number(statFields(Number(name))[1]));
    } catch {
      // gone meanwhile
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    for (const [child, parent] of parentOf) if (parent === tree[i]) tree.push(child);
  }
  return tree;
}

/** User + system CPU time of the process and its children, µs (clock ticks: 10 ms on most systems). */
export function procCpuMicros(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    const fields = statFields(p);
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks / clockTicks()) * 1e6;
}

/** Resident set size of the process and its children, bytes. */
export function procRssBytes(pid: number): number {
  let bytes = 0;
  for (const p of processTree(pid)) {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
    bytes += m ? Number(m[1]) * 1024 : 0;
  }
  return bytes;
}
