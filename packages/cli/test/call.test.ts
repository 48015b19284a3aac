// `shoal version`, `list`, `describe` and `call`, run as the real binary against a real server.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GreeterService, greeterImpl } from '@shoal/demo';
import { Server } from '@shoal/rpc';
import { shoal } from '@shoal/testing';

describe('shoal call, list, describe', () => {
  const server = new Server({ standardServices: true });
  server.register(GreeterService, greeterImpl('test-provider'));
  const bare = new Server(); // no reflection
  bare.register(GreeterService, greeterImpl('bare'));
  let addr = '';
  let bareAddr = '';

  before(async () => {
    addr = `127.0.0.1:${(await server.listen(0)).port}`;
    bareAddr = `127.0.0.1:${(await bare.listen(0)).port}`;
  });
  after(async () => {
    await server.close(500);
    await bare.close(500);
  });

  it('prints its version', async () => {
    const r = await shoal(['version', '-o', 'json']);
    assert.equal(r.code, 0);
    assert.match(JSON.parse(r.stdout).shoal, /^\d+\.\d+\.\d+$/);
  });

  it('lists services and methods over reflection', async () => {
    const r = await shoal(['list', addr]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.split('\n').includes('greet.v1.GreeterService'));
    const methods = await shoal(['list', addr, 'greet.v1.GreeterService', '-o', 'json']);
    assert.deepEqual(JSON.parse(methods.stdout), [
      'greet.v1.GreeterService.Greet',
      'greet.v1.GreeterService.GreetStream',
    ]);
  });

  it('describes services and messages', async () => {
    const r = await shoal(['describe', addr, 'greet.v1.GreeterService']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /rpc GreetStream\(\.greet\.v1\.GreetRequest\) returns \(stream \.greet\.v1\.GreetResponse\);/,
    );
    const m = await shoal(['describe', addr, 'greet.v1.GreetResponse', '-o', 'json']);
    assert.equal(JSON.parse(m.stdout).kind, 'message');
  });

  it('calls unary and streaming methods, over gRPC and HTTP', async () => {
    const r = await shoal(['call', addr, 'greet.v1.GreeterService/Greet', '-d', '{"name":"cli"}']);
    assert.equal(r.code, 0, r.stderr);
    const answer = JSON.parse(r.stdout);
    assert.equal(answer.greeting, 'Hello, cli!');
    assert.equal(answer.servedBy, 'test-provider');
    // servedAt is a google.protobuf.Timestamp: reflection sends greet.proto before the file it
    // imports, and the CLI must still build the registry (and print the WKT as RFC 3339).
    assert.match(answer.servedAt, /^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    const h = await shoal([
      'call',
      addr,
      'greet.v1.GreeterService/Greet',
      '-d',
      '{"name":"h"}',
      '--protocol',
      'http',
    ]);
    assert.equal(JSON.parse(h.stdout).greeting, 'Hello, h!');
    const t = await shoal([
      'call',
      addr,
      'greet.v1.GreeterService/Greet',
      '-d',
      '{"name":"t"}',
      '--protocol',
      'triple',
    ]);
    assert.equal(JSON.parse(t.stdout).greeting, 'Hello, t!');
    const s = await shoal(['call', addr, 'greet.v1.GreeterService/GreetStream', '-d', '@-'], {
      input: '{"name":"s"}',
    });
    assert.equal(s.stdout.match(/"greeting"/g)?.length, 5);
  });

  it('reads the request from a file and the API from --proto when there is no reflection', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-cli-'));
    writeFileSync(join(dir, 'req.json'), '{"name":"file"}');
    const r = await shoal([
      'call',
      bareAddr,
      'greet.v1.GreeterService/Greet',
      '-d',
      `@${join(dir, 'req.json')}`,
      '--proto',
      'packages/demo/proto/greet/v1/greet.proto',
      '--import-path',
      'packages/demo/proto',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).greeting, 'Hello, file!');
  });

  it('runs a small load with --count and reports calls by endpoint', async () => {
    const r = await shoal([
      'call',
      addr,
      'greet.v1.GreeterService/Greet',
      '--count',
      '50',
      '--concurrency',
      '5',
      '-o',
      'json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.calls, 50);
    assert.equal(summary.ok, 50);
    assert.deepEqual(
      summary.byEndpoint.map((e: { endpoint: string }) => e.endpoint),
      [addr],
    );
    assert.ok(summary.latencyMs.p99 >= summary.latencyMs.p50);
  });

  it('fails with one clear line and a trustworthy exit code', async () => {
    const bad = await shoal(['call', addr, 'greet.v1.GreeterService/Greet', '-d', '{bad']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^shoal: the request data is not valid JSON/);
    assert.doesNotMatch(bad.stderr, /\n\s+at /); // no stack trace
    const unknown = await shoal(['call', addr, 'greet.v1.GreeterService/Nope']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /knows no symbol "greet\.v1\.GreeterService\.Nope"/);
    const down = await shoal(['call', '127.0.0.1:1', 'greet.v1.GreeterService/Greet']);
    assert.equal(down.code, 3);
    assert.match(down.stderr, /UNAVAILABLE.*ECONNREFUSED/);
    const noReflection = await shoal(['list', bareAddr]);
    assert.equal(noReflection.code, 1);
    assert.match(noReflection.stderr, /does not offer server reflection.*--proto/);
    const usage = await shoal(['call', 'not an address', 'x/y']);
    assert.equal(usage.code, 2);
  });
});
