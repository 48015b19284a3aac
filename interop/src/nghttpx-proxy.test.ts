// gRPC through an HTTP/2 proxy nobody here wrote: Shoal's client → nghttpx (Debian's
// nghttp2-proxy, HTTP/2 on both sides) → Shoal's server, every interop test case, so trailers,
// resets, deadlines and metadata survive a proxy in between on Shoal's HTTP/2 (and on node:http2
// when npm test runs this suite again with SHOAL_RPC_TRANSPORT=node-http2).

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { shoalStub } from './client/shoal-stub.js';
import type { InteropStub } from './client/stub.js';
import { runTestCase, testCaseNames } from './client/test-cases.js';
import { freePort } from './free-port.js';
import { createTestServer } from './server/test-service.js';

async function listening(port: number, deadline: number, proxy: ChildProcess): Promise<void> {
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (up) return;
    if (proxy.exitCode !== null || Date.now() > deadline)
      throw new Error(`nghttpx did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('interop: Shoal client → nghttpx → Shoal server', () => {
  const errors: unknown[] = [];
  const server = createTestServer({ onError: (error) => errors.push(error) });
  let proxy: ChildProcess | undefined;
  let stub: InteropStub;
  before(async () => {
    const { port } = await server.listen(0, '127.0.0.1');
    const proxyPort = await freePort();
    proxy = spawn(
      'nghttpx',
      [
        `-f127.0.0.1,${proxyPort};no-tls`,
        `-b127.0.0.1,${port};;proto=h2`,
        '-n1',
        '--no-ocsp',
        '-L',
        'WARN',
        '--conf=/dev/null',
      ],
      { stdio: 'ignore' },
    );
    await listening(proxyPort, Date.now() + 10_000, proxy);
    stub = shoalStub({ address: `127.0.0.1:${proxyPort}` });
  });
  after(async () => {
    stub?.close();
    if (proxy && proxy.exitCode === null) {
      const exited = new Promise((r) => proxy!.once('exit', r));
      proxy.kill('SIGTERM');
      await exited;
    }
    await server.close(500);
  });

  for (const name of testCaseNames) it(name, { timeout: 10_000 }, () => runTestCase(stub, name));

  it('the server reported no errors of its own', () => assert.deepEqual(errors, []));
});
