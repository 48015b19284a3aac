// The greeter as a user meets it: the compiled server started as a process, called with curl
// over HTTP/1.1 JSON and with a Shoal client over gRPC, then stopped with SIGINT.

import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GreeterService } from '@shoal/demo';
import { createClient } from '@shoal/rpc';

const run = promisify(execFile);
const serverPath = fileURLToPath(new URL('./server.js', import.meta.url));

describe('greeter example', () => {
  let child: ChildProcess;
  let port = 0;

  before(async () => {
    child = spawn(process.execPath, [serverPath, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    // Keep reading stdout to the end (the server prints on shutdown too), and take the port.
    let out = '';
    port = await new Promise<number>((resolve, reject) => {
      child.stdout!.on('data', (chunk) => {
        out += chunk;
        const m = /on 127\.0\.0\.1:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', () => reject(new Error(`server exited before listening: ${out}`)));
    });
  });

  after(async () => {
    if (child.exitCode === null) {
      child.kill('SIGINT');
      await once(child, 'exit');
    }
  });

  it('answers curl with JSON over HTTP/1.1', async () => {
    const { stdout } = await run('curl', [
      '-sS',
      '-H',
      'content-type: application/json',
      '-d',
      '{"name":"Shoal"}',
      `http://127.0.0.1:${port}/greet.v1.GreeterService/Greet`,
    ]);
    assert.equal(JSON.parse(stdout).greeting, 'Hello, Shoal!');
  });

  it('answers a gRPC client, unary and streaming', async () => {
    const client = createClient(GreeterService, `127.0.0.1:${port}`);
    assert.equal((await client.greet({ name: 'grpc' })).greeting, 'Hello, grpc!');
    const all = [];
    for await (const res of client.greetStream({ name: 's' })) all.push(res.greeting);
    assert.equal(all.length, 5);
  });

  it('stops cleanly on SIGINT', async () => {
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
  });
});
