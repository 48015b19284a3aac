import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code, type RpcError } from '@shoal/rpc';
import { parseBootstrap } from '@shoal/xds';
import { parseMeshTarget } from './target.js';

const bootstrap = parseBootstrap({
  xds_servers: [{ server_uri: 'localhost:1', channel_creds: [{ type: 'insecure' }] }],
  node: { id: 'n' },
  client_default_listener_resource_name_template: 'prefix/%s',
  authorities: {
    corp: { client_listener_resource_name_template: 'xdstp://corp/envoy.config.listener.v3.Listener/%s' },
  },
});

describe('parseMeshTarget', () => {
  it('reads xds:///host:port as the listener name, as dialled', () => {
    assert.deepEqual(parseMeshTarget('xds:///greeter:50051'), {
      target: 'xds:///greeter:50051',
      kind: 'xds',
      listenerName: 'greeter:50051',
      authority: 'greeter:50051',
    });
  });

  it('reads an interface name as a listener named after the interface', () => {
    const t = parseMeshTarget('greet.v1.GreeterService');
    assert.equal(t.kind, 'interface');
    assert.equal(t.listenerName, 'greet.v1.GreeterService');
    assert.equal(t.authority, 'greet.v1.GreeterService');
  });

  it('follows the bootstrap templates and authorities (gRFC A47)', () => {
    assert.equal(parseMeshTarget('xds:///greeter:1', bootstrap).listenerName, 'prefix/greeter:1');
    assert.match(
      parseMeshTarget('xds://corp/greeter:1', bootstrap).listenerName,
      /^xdstp:\/\/corp\/envoy\.config\.listener\.v3\.Listener\/greeter:1$/,
    );
  });

  it('rejects what it cannot read, saying what it expected', () => {
    for (const [target, why] of [
      ['dns:///greeter:1', /unknown scheme/],
      ['xds:/greeter', /two slashes/],
      ['xds://corp/greeter:1', /needs a bootstrap/],
      ['Greeter', /not an interface name/],
      ['greet..v1', /not an interface name/],
    ] as const) {
      assert.throws(
        () => parseMeshTarget(target),
        (e: RpcError) =>
          e.code === Code.INVALID_ARGUMENT && why.test(e.message) && /expected xds:\/\/\//.test(e.message),
        target,
      );
    }
  });
});
