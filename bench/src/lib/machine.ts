// The first line each suite prints: when, on what, and how busy the machine was (benchmark figures
// on a shared machine are read beside its load).

import os from 'node:os';

export function machineLine(suite: string): string {
  const cpus = os.cpus();
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  return `${suite} suite: ${new Date().toISOString()}, node ${process.version}, ${cpus.length} x ${cpus[0]?.model ?? 'cpu'}, load average ${load}`;
}
