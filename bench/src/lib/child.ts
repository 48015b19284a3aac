// Benchmark participants run in child processes of their own, so a server, its load generator
// and this orchestrator never share a JavaScript thread. Children talk over the IPC channel.

import { type ChildProcess, fork } from 'node:child_process';

export interface ChildServer {
  readonly port: number;
  /** CPU time (user + system, µs) the server process has used so far. */
  cpuMicros(): Promise<number>;
  /** Its RSS and JS heap in bytes, after a full GC when it runs with --expose-gc. */
  memory(): Promise<{ rss: number; heap: number }>;
  stop(): Promise<void>;
}

/** Starts `script` with `args`; it must send `{ port }` once it listens. */
export async function startServer(
  script: URL,
  args: string[],
  execArgv: string[] = [],
  timeoutMs = 10_000,
): Promise<ChildServer> {
  const child = fork(script, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const message = await firstMessage<{ port: number }>(child, timeoutMs, script);
  return {
    port: message.port,
    async cpuMicros() {
      const answer = firstMessage<{ cpuMicros: number }>(child, timeoutMs, script);
      child.send({ cpu: true });
      return (await answer).cpuMicros;
    },
    async memory() {
      const answer = firstMessage<{ rss: number; heap: number }>(child, timeoutMs, script);
      child.send({ memory: true });
      return answer;
    },
    stop: () => stopChild(child),
  };
}

/** Starts `script`, which keeps running after it sends its one ready message; stop() ends it. */
export async function startHelper<T>(
  script: URL,
  args: string[],
  timeoutMs = 120_000,
): Promise<{ ready: T; stop(): Promise<void> }> {
  const child = fork(script, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const ready = await firstMessage<T>(child, timeoutMs, script);
    return { ready, stop: () => stopChild(child) };
  } catch (err) {
    await stopChild(child);
    throw err;
  }
}

/** Runs `script` to its end and returns the one result it sends. */
export async function runChild<T>(
  script: URL,
  args: string[],
  execArgv: string[] = [],
  timeoutMs = 120_000,
): Promise<T> {
  const child = fork(script, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    return await firstMessage<T>(child, timeoutMs, script);
  } finally {
    await stopChild(child);
  }
}

function firstMessage<T>(child: ChildProcess, timeoutMs: number, script: URL): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script.pathname}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: unknown) => {
      done();
      const error = (message as { error?: string }).error;
      if (error !== undefined) reject(new Error(`${script.pathname}: ${error}`));
      else resolve(message as T);
    };
    const onExit = (code: number | null, signal: string | null) => {
      done();
      reject(new Error(`${script.pathname} exited (code ${code}, signal ${signal}) before answering`));
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
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

/** In a child: answers the parent's questions about its CPU time and memory (see ChildServer). */
export function answerCpuQueries(): void {
  process.on('message', (message: { cpu?: boolean; memory?: boolean }) => {
    if (message.cpu) {
      const { user, system } = process.cpuUsage();
      void reply({ cpuMicros: user + system });
    } else if (message.memory) {
      (globalThis as { gc?: () => void }).gc?.();
      const m = process.memoryUsage();
      void reply({ rss: m.rss, heap: m.heapUsed });
    }
  });
}

/** In a child: sends the result (or the error) to the parent; resolves once it is sent. */
export function reply(message: object): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) throw new Error('this script runs as a child of the benchmark (no IPC channel)');
  return new Promise((resolve) => send(message, undefined, undefined, () => resolve()));
}

/** In a child that runs to its end: exits when `main` is done, or sends its error and exits 1. */
export function runToEnd(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    async (err: Error) => {
      await reply({ error: err.stack ?? String(err) });
      process.exit(1);
    },
  );
}
