// `shoal list`, `describe` and `call` against a @grpc/grpc-js server without reflection, the API
// read from .proto files (--proto FILE, relative to the --import-path folders, as protoc and grpcurl
// take them) or from protosets built by the buf CLI (--protoset FILE, as grpcurl's -protoset).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type PeerServer, startGrpcJsServer } from './peers/grpc-js-server.js';
import { runShoal } from './run-node.js';

const protoDir = fileURLToPath(new URL('../proto', import.meta.url));
const buf = join(dirname(createRequire(import.meta.url).resolve('@bufbuild/buf/package.json')), 'bin', 'buf');

/** A second API beside grpc.testing, sharing one of its imports. */
const otherProto = `syntax = "proto3";
package other.v1;
import "grpc/testing/empty.proto";
service OtherService {
  rpc Ping(grpc.testing.Empty) returns (grpc.testing.Empty);
}
`;

describe('shoal against grpc-js without reflection: --proto, --import-path, --protoset', () => {
  // Run from a folder of its own: FILE is found through the import paths, not the working directory.
  const work = mkdtempSync(join(tmpdir(), 'shoal-proto-files-'));
  const shoal = (...args: string[]) => runShoal(args, { cwd: work });
  let peer: PeerServer;
  let addr = '';
  before(async () => {
    peer = await startGrpcJsServer();
    addr = `127.0.0.1:${peer.port}`;
    // first/: test.proto alone, whose imports come from the next import path. last/: a broken
    // messages.proto that the search order never reaches. other/: a second API, with its import.
    mkdirSync(join(work, 'first', 'grpc', 'testing'), { recursive: true });
    copyFileSync(join(protoDir, 'grpc/testing/test.proto'), join(work, 'first/grpc/testing/test.proto'));
    mkdirSync(join(work, 'last', 'grpc', 'testing'), { recursive: true });
    writeFileSync(join(work, 'last/grpc/testing/messages.proto'), 'this is not protobuf');
    mkdirSync(join(work, 'other', 'other', 'v1'), { recursive: true });
    writeFileSync(join(work, 'other/other/v1/other.proto'), otherProto);
    mkdirSync(join(work, 'other', 'grpc', 'testing'), { recursive: true });
    copyFileSync(join(protoDir, 'grpc/testing/empty.proto'), join(work, 'other/grpc/testing/empty.proto'));
    mkdirSync(join(work, 'broken'));
    writeFileSync(join(work, 'broken/bad.proto'), 'syntax = "proto3";\nmessage Bad {\n  int32 = 1;\n}\n');
    writeFileSync(join(work, 'broken/lost.proto'), 'syntax = "proto3";\nimport "not/there.proto";\n');
  });
  after(() => peer.close());

  it('calls with --proto FILE named relative to --import-path', async () => {
    const r = await shoal(
      'call',
      addr,
      'grpc.testing.TestService/EmptyCall',
      '--proto',
      'grpc/testing/test.proto',
      '--import-path',
      protoDir,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {});
  });

  it('searches several import paths in order, and reads several --proto files', async () => {
    const paths = ['--import-path', 'first', '--import-path', protoDir, '--import-path', 'last'];
    const unary = await shoal(
      'call',
      addr,
      'grpc.testing.TestService/UnaryCall',
      '-d',
      '{"responseSize": 2}',
      '--proto',
      'grpc/testing/test.proto',
      ...paths,
    );
    assert.equal(unary.code, 0, unary.stderr);
    assert.deepEqual(JSON.parse(unary.stdout), { payload: { body: 'AAA=' } });
    const both = await shoal(
      'list',
      addr,
      '--proto',
      'grpc/testing/test.proto',
      '--proto',
      'other/v1/other.proto',
      ...paths,
      '--import-path',
      'other',
    );
    assert.equal(both.code, 0, both.stderr);
    assert.ok(both.stdout.split('\n').includes('other.v1.OtherService'), both.stdout);
    assert.ok(both.stdout.split('\n').includes('grpc.testing.TestService'), both.stdout);
    // A path on disk inside an import path is taken by its name there, as protoc does.
    const onDisk = await shoal(
      'describe',
      addr,
      'grpc.testing.Empty',
      '--proto',
      'first/grpc/testing/test.proto',
      ...paths,
    );
    assert.equal(onDisk.code, 0, onDisk.stderr);
    assert.match(onDisk.stdout, /message Empty \{\n\}/);
  });

  it('calls with --protoset files built by buf, several merged', async () => {
    execFileSync(buf, ['build', protoDir, '-o', join(work, 'testing.binpb')]);
    execFileSync(buf, ['build', join(work, 'other'), '-o', join(work, 'other.binpb')], { cwd: work });
    const stream = await shoal(
      'call',
      addr,
      'grpc.testing.TestService/StreamingOutputCall',
      '-d',
      '{"responseParameters": [{"size": 1}, {"size": 2}]}',
      '--protoset',
      'testing.binpb',
    );
    assert.equal(stream.code, 0, stream.stderr);
    assert.equal(stream.stdout.match(/"body"/g)?.length, 2, stream.stdout);
    const both = await shoal(
      'list',
      addr,
      '--protoset',
      'testing.binpb',
      '--protoset',
      'other.binpb',
      '-o',
      'json',
    );
    assert.equal(both.code, 0, both.stderr);
    const services: string[] = JSON.parse(both.stdout);
    assert.ok(services.includes('other.v1.OtherService') && services.includes('grpc.testing.TestService'));
  });

  it('names the file and what is wrong with it', async () => {
    const missing = await shoal(
      'list',
      addr,
      '--proto',
      'grpc/testing/nope.proto',
      '--import-path',
      protoDir,
    );
    assert.equal(missing.code, 2);
    assert.match(
      missing.stderr,
      /--proto grpc\/testing\/nope\.proto: not found in --import-path .*interop\/proto/,
    );
    const lost = await shoal('list', addr, '--proto', 'lost.proto', '--import-path', 'broken');
    assert.equal(lost.code, 1);
    assert.match(
      lost.stderr,
      /broken\/lost\.proto imports "not\/there\.proto", which is not found in --import-path broken/,
    );
    const bad = await shoal('list', addr, '--proto', 'bad.proto', '--import-path', 'broken');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /cannot compile --proto bad\.proto: broken\/bad\.proto:3:\d+/);
    const notASet = await shoal('list', addr, '--protoset', 'broken/bad.proto');
    assert.equal(notASet.code, 1);
    assert.match(notASet.stderr, /--protoset broken\/bad\.proto is not a serialized FileDescriptorSet/);
    execFileSync(buf, [
      'build',
      protoDir,
      '--exclude-imports',
      '--path',
      join(protoDir, 'grpc/testing/test.proto'),
      '-o',
      join(work, 'alone.binpb'),
    ]);
    const alone = await shoal('list', addr, '--protoset', 'alone.binpb');
    assert.equal(alone.code, 1);
    assert.match(
      alone.stderr,
      /grpc\/testing\/test\.proto imports grpc\/testing\/empty\.proto, which --protoset alone\.binpb did not provide/,
    );
    const noReflection = await shoal('list', addr);
    assert.equal(noReflection.code, 1);
    assert.match(noReflection.stderr, /does not offer server reflection.*--protoset/);
  });
});
