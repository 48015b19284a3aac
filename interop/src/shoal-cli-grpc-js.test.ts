// `shoal list`, `describe` and `call`, run as the real binary against a @grpc/grpc-js server that
// serves reflection with @grpc/reflection, as Node gRPC servers usually do. Its descriptors come
// from protobufjs: relative type names (`LoadBalancerStatsResponse.RpcsByPeer`), no json_name, map
// entries named after their field (here colliding with a nested message of the same name), files
// merged by package with no imports listed.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type PeerServer, startGrpcJsServer } from './peers/grpc-js-server.js';
import { runShoal } from './run-node.js';

const shoal = (...args: string[]) => runShoal(args);
const protoDir = fileURLToPath(new URL('../proto', import.meta.url));

describe('shoal against grpc-js with @grpc/reflection', () => {
  let peer: PeerServer;
  let addr = '';
  before(async () => {
    peer = await startGrpcJsServer({ reflection: true });
    addr = `127.0.0.1:${peer.port}`;
  });
  after(() => peer.close());

  it('lists the services, and the methods of one', async () => {
    const services = await shoal('list', addr);
    assert.equal(services.code, 0, services.stderr);
    assert.ok(services.stdout.split('\n').includes('grpc.testing.TestService'), services.stdout);
    const methods = await shoal('list', addr, 'grpc.testing.TestService', '-o', 'json');
    assert.equal(methods.code, 0, methods.stderr);
    assert.ok(JSON.parse(methods.stdout).includes('grpc.testing.TestService.StreamingOutputCall'));
  });

  it('describes messages whose types are named relative to their scope', async () => {
    const stats = await shoal('describe', addr, 'grpc.testing.LoadBalancerStatsResponse');
    assert.equal(stats.code, 0, stats.stderr);
    // The map's entry and the nested message are both "RpcsByPeer" in what grpc-js sends.
    assert.match(stats.stdout, /^ {2}map<string, int32> rpcsByPeer = 1;$/m);
    assert.match(
      stats.stdout,
      /^ {2}map<string, \.grpc\.testing\.LoadBalancerStatsResponse\.RpcsByPeer> rpcsByMethod = 3;$/m,
    );
    assert.match(
      stats.stdout,
      /^ {2}map<string, \.grpc\.testing\.LoadBalancerStatsResponse\.MetadataByPeer> metadatasByPeer = 4;$/m,
    );
    const nested = await shoal('describe', addr, 'grpc.testing.LoadBalancerStatsResponse.RpcsByPeer');
    assert.equal(nested.code, 0, nested.stderr);
    assert.match(nested.stdout, /message RpcsByPeer \{\n {2}map<string, int32> rpcsByPeer = 1;\n\}/);
    // A nested message and an enum of the enclosing package, both named without a package.
    const configure = await shoal('describe', addr, 'grpc.testing.ClientConfigureRequest');
    assert.equal(configure.code, 0, configure.stderr);
    assert.match(configure.stdout, /repeated \.grpc\.testing\.ClientConfigureRequest\.RpcType types = 1;/);
    assert.match(
      configure.stdout,
      /repeated \.grpc\.testing\.ClientConfigureRequest\.Metadata metadata = 2;/,
    );
    const method = await shoal('describe', addr, 'grpc.testing.TestService.UnaryCall');
    assert.equal(method.code, 0, method.stderr);
    assert.match(
      method.stdout,
      /rpc UnaryCall\(\.grpc\.testing\.SimpleRequest\) returns \(\.grpc\.testing\.SimpleResponse\);/,
    );
  });

  it('resolves every field type as buf resolves the same .proto files', async () => {
    // Field number → type, as describe prints them (grpc-js sends camelCase field names).
    const types = (text: string) =>
      Object.fromEntries([...text.matchAll(/^ {2}(.+) \w+ = (\d+);/gm)].map((m) => [m[2]!, m[1]!]));
    for (const symbol of [
      'grpc.testing.LoadBalancerStatsResponse',
      'grpc.testing.LoadBalancerStatsResponse.MetadataByPeer',
      'grpc.testing.LoadBalancerAccumulatedStatsResponse',
      'grpc.testing.StreamingOutputCallRequest',
    ]) {
      const [reflected, compiled] = await Promise.all([
        shoal('describe', addr, symbol),
        shoal('describe', addr, symbol, '--proto', 'grpc/testing/test.proto', '--import-path', protoDir),
      ]);
      assert.equal(reflected.code, 0, reflected.stderr);
      assert.equal(compiled.code, 0, compiled.stderr);
      assert.ok(Object.keys(types(compiled.stdout)).length > 0, compiled.stdout);
      assert.deepEqual(types(reflected.stdout), types(compiled.stdout), symbol);
    }
  });

  it('calls a unary and a server-streaming method', async () => {
    const unary = await shoal(
      'call',
      addr,
      'grpc.testing.TestService/UnaryCall',
      '-d',
      '{"responseSize": 4, "responseType": "COMPRESSABLE"}',
    );
    assert.equal(unary.code, 0, unary.stderr);
    assert.deepEqual(JSON.parse(unary.stdout), { payload: { body: 'AAAAAA==' } });
    const stream = await shoal(
      'call',
      addr,
      'grpc.testing.TestService/StreamingOutputCall',
      '-d',
      '{"responseParameters": [{"size": 1}, {"size": 2}, {"size": 3}]}',
    );
    assert.equal(stream.code, 0, stream.stderr);
    const bodies = [...stream.stdout.matchAll(/"body": "([^"]*)"/g)].map((m) => Buffer.from(m[1]!, 'base64'));
    assert.deepEqual(
      bodies.map((b) => b.length),
      [1, 2, 3],
    );
  });

  it('says which symbol the server does not know', async () => {
    const r = await shoal('describe', addr, 'grpc.testing.NoSuchMessage');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /knows no symbol "grpc\.testing\.NoSuchMessage"/);
  });
});
