// What the interop suites share: an echo server of ours, a one-call client of ours, and a
// command run to its end (free ports and daemons come from @shoal/testing).

import { spawn } from 'node:child_process';
import { after, before } from 'node:test';
import type tls from 'node:tls';
import { makeTestCertificates, type TestCertificates } from '@shoal/testing';
import {
  type ClientConnection,
  Http2Server,
  type IncomingHeaders,
  type OutgoingHeaders,
} from '../../src/index.js';

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
