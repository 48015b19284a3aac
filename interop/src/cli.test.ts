// The harness as gRPC's interop runner uses it: the real shoal-interop-server and
// shoal-interop-client processes, their flags, output and exit status.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { testCaseNames } from './client/test-cases.js';
import { type PeerServer, startGrpcJsServer } from './peers/grpc-js-server.js';
import { runNode } from './run-node.js';

const serverMain = fileURLToPath(new URL('./server/main.js', import.meta.url));
const clientMain = fileURLToPath(new URL('./client/main.js', import.meta.url));
// The launcher npm links as node_modules/.bin/shoal-interop-client.
const clientLauncher = fileURLToPath(new URL('../bin/shoal-interop-client.js', import.meta.url));

const runClient = runNode;

/** Starts the server binary and reads the port it prints. */
async function startServer(args: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [serverMain, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = /listening on [\d.]+:(\d+)/.exec(output);
      if (found) resolve(Number(found[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
  return { child, port };
}

describe('interop binaries', () => {
  let server: { child: ChildProcess; port: number };
  let peer: PeerServer;
  before(async () => {
    server = await startServer(['--port=0', '--host=127.0.0.1', '--use_tls=false']);
    peer = await startGrpcJsServer();
  });
  after(async () => {
    if (server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await once(server.child, 'exit');
    }
    await peer.close();
  });

  it('shoal-interop-client passes every case against shoal-interop-server', { timeout: 30_000 }, async () => {
    const res = await runClient(clientMain, [
      '--server_host=127.0.0.1',
      `--server_port=${server.port}`,
      '--test_case=all',
      '--use_tls=false',
    ]);
    assert.equal(res.code, 0, res.stderr);
    const passed = res.stdout.split('\n').filter((line) => line.startsWith('PASS '));
    assert.deepEqual(
      passed.map((line) => line.split(' ')[1]),
      [...testCaseNames],
    );
  });

  it('the launcher runs one case by name', async () => {
    const res = await runClient(clientLauncher, [
      `--server_port=${server.port}`,
      '--test_case=special_status_message',
    ]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^PASS special_status_message/);
  });

  it('a failing case exits 1 and says why', async () => {
    // grpc-js cannot refuse the uncompressed probe, so this case fails against it, as it should.
    const res = await runClient(clientMain, [
      `--server_port=${peer.port}`,
      '--test_case=client_compressed_unary',
    ]);
    assert.equal(res.code, 1);
    assert.match(
      res.stderr,
      /FAIL client_compressed_unary: uncompressed probe with expect_compressed: the call succeeded, expected INVALID_ARGUMENT/,
    );
  });

  it('bad flags exit 2 with a message', async () => {
    const [unknownCase, badPort, tls] = await Promise.all([
      runClient(clientMain, [`--server_port=${server.port}`, '--test_case=nope']),
      runClient(clientMain, ['--server_port=http', '--test_case=empty_unary']),
      runClient(serverMain, ['--port=0', '--use_tls=true']),
    ]);
    assert.equal(unknownCase.code, 2);
    assert.match(unknownCase.stderr, /unknown --test_case "nope" \(known: empty_unary,/);
    assert.equal(badPort.code, 2);
    assert.match(badPort.stderr, /--server_port <port>' argument 'http' is invalid/);
    assert.notEqual(tls.code, 0);
    assert.match(tls.stderr, /--use_tls=true is not supported/);
  });
});
