// The demo's child processes: started with their output prefixed by name, stopped together with
// SIGTERM (then SIGKILL after a grace period) so that Ctrl-C leaves nothing running.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export interface ChildSpec {
  name: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Resolves with the first stdout match of this pattern (e.g. the port a child listens on). */
  readyPattern?: RegExp;
}

export interface RunningChild {
  name: string;
  process: ChildProcess;
  ready: Promise<RegExpExecArray>;
}

export class ProcessGroup {
  private readonly children = new Set<RunningChild>();

  constructor(private readonly log: (line: string) => void) {}

  start(spec: ChildSpec): RunningChild {
    const child = spawn(process.execPath, spec.args, {
      env: { ...process.env, ...spec.env },
      cwd: spec.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let resolveReady: (m: RegExpExecArray) => void = () => {};
    let rejectReady: (e: Error) => void = () => {};
    const ready = new Promise<RegExpExecArray>((resolve, reject) => {
      resolveReady = resolve;
      rejectReady = reject;
    });
    ready.catch(() => {});
    let matched = !spec.readyPattern;
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        if (!matched && spec.readyPattern) {
          const m = spec.readyPattern.exec(line);
          if (m) {
            matched = true;
            resolveReady(m);
          }
        }
        this.log(`[${spec.name}] ${line}`);
      });
    }
    const running: RunningChild = { name: spec.name, process: child, ready };
    this.children.add(running);
    child.once('exit', (code, signal) => {
      this.children.delete(running);
      if (!matched) rejectReady(new Error(`${spec.name} exited (${signal ?? code}) before it was ready`));
    });
    return running;
  }

  get running(): RunningChild[] {
    return [...this.children];
  }

  /** Stops every child: SIGTERM, then SIGKILL for any still running after graceMs. */
  async stopAll(graceMs = 3000): Promise<void> {
    const all = [...this.children];
    const exits = all.map((c) =>
      c.process.exitCode !== null || c.process.signalCode !== null
        ? Promise.resolve()
        : once(c.process, 'exit'),
    );
    for (const c of all) c.process.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const c of all)
        if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGKILL');
    }, graceMs);
    await Promise.all(exits);
    clearTimeout(timer);
  }
}
