// Request/response over a child process's IPC channel, for benchmark participants the
// orchestrator steps through several phases (connect, measure, report). Each request carries an
// id and its answer carries it back, so questions to different children run side by side.

import { type ChildProcess, fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** Milliseconds since the Unix epoch with sub-millisecond precision, comparable across processes. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

interface Answer {
  id: number;
  result?: unknown;
  error?: string;
}

export interface ChildHandle<Ready> {
  readonly ready: Ready;
  readonly pid: number;
  request<T>(op: string, args?: unknown, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  /** How long the child may take to send its first message (default 20 s). */
  readyTimeoutMs?: number;
}

/** Forks `script`; resolves once it sent `{ ready }` (rejects on `{ error }` or early exit). */
export async function spawnChild<Ready>(
  script: URL,
  args: string[],
  options: SpawnOptions = {},
): Promise<ChildHandle<Ready>> {
  const child = fork(script, args, {
    execArgv: options.execArgv ?? [],
    env: options.env ?? process.env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = `${script.pathname} exited (code ${code}, signal ${signal})`;
    for (const p of pending.values()) p.reject(new Error(exited));
    pending.clear();
  });
  child.on('message', (m: Answer) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.error !== undefined) p.reject(new Error(`${script.pathname}: ${m.error}`));
    else p.resolve(m.result);
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script.pathname}: not ready within ${options.readyTimeoutMs ?? 20_000} ms`));
    }, options.readyTimeoutMs ?? 20_000);
    const onMessage = (m: { ready?: Ready; error?: string }) => {
      if (!('ready' in m) && m.error === undefined) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (m.error !== undefined) reject(new Error(`${script.pathname}: ${m.error}`));
      else resolve(m.ready as Ready);
    };
    const onExit = () => {
      clearTimeout(timer);
      reject(new Error(exited ?? `${script.pathname} exited before it was ready`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
  let nextId = 0;
  return {
    ready,
    pid: child.pid ?? -1,
    request<T>(op: string, args?: unknown, timeoutMs = 120_000): Promise<T> {
      if (exited) return Promise.reject(new Error(exited));
      const id = ++nextId;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${script.pathname}: no answer to "${op}" within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v as T);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        child.send({ id, op, args });
      });
    },
    stop: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export type Handlers = Record<string, (args: never) => unknown>;

/** In a child: answers the parent's requests with `handlers`, after announcing `ready`. */
export async function serveParent(ready: () => Promise<unknown>, handlers: Handlers): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) throw new Error('this script runs as a child of the benchmark (no IPC channel)');
  process.once('SIGTERM', () => process.exit(0));
  process.once('disconnect', () => process.exit(0));
  let info: unknown;
  try {
    info = await ready();
  } catch (err) {
    send({ error: (err as Error).stack ?? String(err) });
    process.exit(1);
  }
  process.on('message', (m: { id: number; op: string; args: unknown }) => {
    const handler = handlers[m.op];
    const answer = (a: Omit<Answer, 'id'>) => send({ id: m.id, ...a });
    if (!handler) return answer({ error: `unknown request "${m.op}"` });
    Promise.resolve()
      .then(() => handler(m.args as never))
      .then(
        (result) => answer({ result: result ?? null }),
        (err: Error) => answer({ error: err.stack ?? String(err) }),
      );
  });
  send({ ready: info ?? null });
}
