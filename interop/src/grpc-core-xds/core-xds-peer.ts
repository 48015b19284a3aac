// gRPC C-core as an xDS peer: Debian's python3-grpcio running interop/grpc-core/xds_peer.py, a
// client of `xds:///` targets (GRPC_XDS_BOOTSTRAP; gRFC A27) or an xDS-enabled server (gRFC A36),
// driven one JSON command per line. The Python process keeps its channels and servers, so config
// pushed later reaches the same client, as in an application.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Debian's interpreter: python3-grpcio is installed for it, not for other Pythons on the PATH. */
export const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../grpc-core/xds_peer.py', import.meta.url));

export interface CallsResult {
  /** Answers by response text (the backend's name). */
  ok: Record<string, number>;
  /** Failures by gRPC status code name. */
  errors: Record<string, number>;
  /** The first message seen per code. */
  messages: Record<string, string>;
  /** Call latency in milliseconds. */
  ms: { min: number; p50: number; max: number };
}

export interface CallsOptions {
  count: number;
  concurrency?: number;
  metadata?: Record<string, string>;
  timeoutMs?: number;
  method?: string;
}

/** The gRPC release python3-grpcio reports, or an error that says how to install it. */
export function grpcioVersion(): string {
  try {
    return execFileSync(PYTHON, ['-c', 'import grpc; print(grpc.__version__)'], { encoding: 'utf8' }).trim();
  } catch (err) {
    throw new Error(
      `gRPC C-core peer unavailable: ${PYTHON} cannot import grpc (apt-get install python3-grpcio, as .ci/run does): ${String(err)}`,
    );
  }
}

export class CoreXdsPeer {
  private readonly pending: ((line: string) => void)[] = [];
  private stderr = '';

  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => this.pending.shift()?.(line));
    child.stderr!.on('data', (chunk) => {
      this.stderr = (this.stderr + String(chunk)).slice(-4000);
    });
  }

  /** Starts the peer with the bootstrap at `bootstrapPath`; resolves with it and gRPC's version. */
  static async start(bootstrapPath: string): Promise<{ peer: CoreXdsPeer; version: string }> {
    const child = spawn(PYTHON, [SCRIPT], {
      env: { ...process.env, GRPC_XDS_BOOTSTRAP: bootstrapPath },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const peer = new CoreXdsPeer(child);
    const ready = JSON.parse(await peer.next(10_000)) as { grpc: string };
    return { peer, version: ready.grpc };
  }

  /** Makes `count` unary calls, `concurrency` at a time, and tallies how they ended. */
  calls(target: string, o: CallsOptions): Promise<CallsResult> {
    return this.command(
      {
        op: 'calls',
        target,
        count: o.count,
        concurrency: o.concurrency ?? 1,
        metadata: o.metadata ?? {},
        timeout_ms: o.timeoutMs ?? 5000,
        ...(o.method ? { method: o.method } : {}),
      },
      o.count * (o.timeoutMs ?? 5000) + 10_000,
    );
  }

  /** Serves the Who method as an xDS-enabled server on 127.0.0.1:port, answering with `name`. */
  async serve(port: number, name: string): Promise<void> {
    await this.command({ op: 'serve', port, name }, 10_000);
  }

  private async command<T>(command: object, timeoutMs: number): Promise<T> {
    const answer = this.next(timeoutMs);
    this.child.stdin!.write(`${JSON.stringify(command)}\n`);
    const result = JSON.parse(await answer) as T & { error?: string };
    if (result.error) throw new Error(`gRPC C-core peer: ${result.error}`);
    return result;
  }

  /** Asks the peer to quit; kills it if it has not within 3 s. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin!.end(`${JSON.stringify({ op: 'quit' })}\n`);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }

  private next(timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(this.failure(`no answer within ${timeoutMs} ms`)), timeoutMs);
      const onExit = (code: number | null, signal: string | null) =>
        reject(this.failure(`exited (code ${code}, signal ${signal})`));
      this.child.once('exit', onExit);
      this.pending.push((line) => {
        clearTimeout(timer);
        this.child.off('exit', onExit);
        resolve(line);
      });
    });
  }

  private failure(what: string): Error {
    return new Error(`gRPC C-core peer ${what}; its stderr: ${this.stderr.trim() || '(empty)'}`);
  }
}
