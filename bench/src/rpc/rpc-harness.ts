// What the sections of the rpc suite share: its options, the server processes, h2load runs with
// the server's CPU, and runs that alternate between participants, keeping each one's median.

import { type ChildServer, startServer } from '../lib/child.js';
import { type H2loadOptions, h2load } from '../lib/h2load.js';
import { type LoadResult, medianRun } from '../lib/load-result.js';
import { int, parseOptions, path, positive, subset } from '../lib/options.js';

/** Every section, in the order they run. */
export const SECTIONS = ['server', 'client', 'http1', 'stream', 'pingpong', 'latency', 'idle'];

const serverMain = new URL('./server-main.js', import.meta.url);

export interface Settings {
  runs: number;
  scale: number;
  sections: Set<string>;
  /** When set, Shoal's processes write V8 CPU profiles here. */
  profileDir: string | undefined;
}

export function settingsFrom(args: string[]): Settings {
  const o = parseOptions(args, {
    runs: int(3),
    scale: positive(1),
    only: subset('section', ...SECTIONS),
    'cpu-prof-dir': path(),
  });
  return { runs: o.runs, scale: o.scale, sections: o.only, profileDir: o['cpu-prof-dir'] };
}

/** Runs `measure` for each participant in turn, `runs` times over, and keeps each one's median. */
export async function alternate(
  names: string[],
  runs: number,
  measure: (name: string) => Promise<LoadResult>,
) {
  const results = new Map<string, LoadResult[]>(names.map((n) => [n, []]));
  for (let i = 0; i < runs; i++) {
    for (const name of names) results.get(name)!.push(await measure(name));
  }
  return new Map([...results].map(([name, list]) => [name, medianRun(list)]));
}

/** One h2load run against a server, with the CPU time the server spent on it. */
export async function loadServer(
  server: ChildServer,
  options: Omit<H2loadOptions, 'url'>,
  path: string,
): Promise<LoadResult> {
  const before = await server.cpuMicros();
  const result = await h2load({ ...options, url: `http://127.0.0.1:${server.port}${path}` });
  const used = (await server.cpuMicros()) - before;
  return { ...result, cpuMicrosPerRequest: used / options.requests };
}

export async function withServers<T>(
  kinds: string[],
  settings: Settings,
  body: (servers: Map<string, ChildServer>) => Promise<T>,
  extraExecArgv: string[] = [],
): Promise<T> {
  const servers = new Map<string, ChildServer>();
  try {
    for (const kind of kinds) {
      const execArgv = [
        ...extraExecArgv,
        ...(kind === 'shoal' && settings.profileDir
          ? ['--cpu-prof', `--cpu-prof-dir=${settings.profileDir}`]
          : []),
      ];
      servers.set(kind, await startServer(serverMain, [kind], execArgv));
    }
    return await body(servers);
  } finally {
    await Promise.all([...servers.values()].map((s) => s.stop()));
  }
}
