// What the interop suites share: an echo server of ours, a one-call client of ours, and the
// handling of external tools (a free port, a command run to its end, a daemon started and
// stopped by pid).

import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { after, before } from 'node:test';
import type tls from 'node:tls';
import {
  type ClientConnection,
  Http2Server,
  type IncomingHeaders,
  type OutgoingHeaders,
} from '../../src/index.js';
import { makeTestCertificates, type TestCertificates } from '../test-certificates.js';

/**
 * Our server: answers 200 with the request body echoed (or `hello <path>` without one), the
 * request's `x-echo` header as `x-echoed`, and trailers `x-trailer: done`.
 */
export function echoServer(tlsOptions?: tls.TlsOptions): Http2Server {
  return new Http2Server({
    ...(tlsOptions && { tls: tlsOptions }),
    onStream(stream, headers) {
      const chunks: Buffer[] = [];
      stream.setHandler({
        onData: (d) => chunks.push(d),
        onEnd() {
          const body = chunks.length > 0 ? Buffer.concat(chunks) : Buffer.from(`hello ${headers[':path']}`);
          const out: OutgoingHeaders = { ':status': 200, 'content-type': 'application/octet-stream' };
          if (headers['x-echo'] !== undefined) out['x-echoed'] = headers['x-echo'];
          stream.sendHeaders(out);
          stream.write(body);
          stream.end({ 'x-trailer': 'done' });
        },
      });
    },
  });
}

/** Our echo server twice, h2c and TLS (ALPN h2), listening while the suite runs. */
export function echoServers(): { plainPort(): number; tlsPort(): number; certs(): TestCertificates } {
  let certs: TestCertificates | undefined;
  const servers: Http2Server[] = [];
  const ports: number[] = [];
  before(async () => {
    certs = makeTestCertificates();
    servers.push(echoServer(), echoServer({ key: certs.key, cert: certs.cert }));
    for (const server of servers) ports.push((await server.listen(0)).port);
  });
  after(async () => {
    for (const server of servers) await server.close(100);
  });
  return { plainPort: () => ports[0]!, tlsPort: () => ports[1]!, certs: () => certs! };
}

export interface Response {
  status: number;
  headers: IncomingHeaders;
  body: Buffer;
  trailers: IncomingHeaders | undefined;
}

/** One request on `connection`; rejects when the stream ends in an error. */
export function call(
  connection: ClientConnection,
  options: {
    path?: string;
    method?: string;
    authority?: string;
    scheme?: string;
    headers?: OutgoingHeaders;
    body?: Buffer;
  },
): Promise<Response> {
  const stream = connection.request(
    {
      ':method': options.method ?? (options.body ? 'POST' : 'GET'),
      ':scheme': options.scheme ?? 'http',
      ':authority': options.authority ?? 'localhost',
      ':path': options.path ?? '/',
      ...options.headers,
    },
    { endStream: options.body === undefined },
  );
  if (options.body) stream.write(options.body, true);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let headers: IncomingHeaders = {};
    let trailers: IncomingHeaders | undefined;
    stream.setHandler({
      onHeaders: (h) => (headers = h),
      onData: (d) => chunks.push(d),
      onTrailers: (t) => (trailers = t),
      onClose: (error) => {
        if (error) reject(error);
        else resolve({ status: Number(headers[':status']), headers, body: Buffer.concat(chunks), trailers });
      },
    });
  });
}

/** A port free right now (for tools that cannot be told to pick one). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Runs a command to its end (at most `timeoutMs`); resolves with its output and exit code. */
export function run(
  command: string,
  args: string[],
  options: { input?: Buffer; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: err });
    });
    child.stdin.end(options.input);
  });
}

/** A long-running tool: started, waited for until `port` accepts connections, stopped by its pid. */
export class Daemon {
  private output = '';
  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
  }

  static async start(command: string, args: string[], port: number, cwd?: string): Promise<Daemon> {
    const daemon = new Daemon(spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd }));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (daemon.child.exitCode !== null) throw new Error(`${command} exited: ${daemon.output}`);
      if (await accepts(port)) return daemon;
      if (Date.now() > deadline) {
        daemon.stop();
        throw new Error(`${command} did not listen on ${port}: ${daemon.output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  get log(): string {
    return this.output;
  }

  stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGTERM');
    const force = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    return exited.finally(() => clearTimeout(force));
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
