// Route-level features Envoy's router has and gRPC clients do not (header mutations at every level,
// direct_response), applied by Shoal's mesh client on real @shoal/rpc servers, from xDS resources
// as any control plane (istiod included) sends them. The Shoal control plane's own translation is
// tried with grpc-js-xds beside it in interop/src/grpc-js-xds/vs-features.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import { Code, Metadata, type RpcError } from '@shoal/rpc';
import { envoy } from '@shoal/xds';
import { createMeshClient, meshTransportOf } from '../src/client/create-mesh-client.js';
import { StaticResourceSource } from '../src/config/static-resource-source.js';
import { Greeter } from './gen/shoal/meshtest/v1/greeter_pb.js';
import { type GreeterServer, startGreeters, stopAll } from './greeter-servers.js';
import { clientListener, edsCluster, loadAssignment, prefix, route } from './xds-fixtures.js';

const L = 'greeter:50051';
const OVERWRITE = envoy.HeaderValueOption_HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD;
const set = (key: string, value: string) =>
  create(envoy.HeaderValueOptionSchema, { header: { key, value }, appendAction: OVERWRITE });

describe('e2e: header mutations and direct responses in the mesh client', () => {
  let servers: GreeterServer[];
  before(async () => {
    servers = await startGreeters('a');
  });
  after(() => stopAll(servers));

  function client() {
    const s = new StaticResourceSource();
    const rc = create(envoy.RouteConfigurationSchema, {
      name: L,
      requestHeadersToAdd: [set('x-level', 'config'), set('x-config', '1')],
      responseHeadersToRemove: ['x-secret'],
      virtualHosts: [
        {
          name: 'vh',
          domains: [L],
          requestHeadersToAdd: [set('x-level', 'vhost'), set('x-vhost', '1')],
          routes: [
            {
              name: 'closed',
              match: { pathSpecifier: { case: 'path', value: '/shoal.meshtest.v1.Greeter/Farewell' } },
              action: {
                case: 'directResponse',
                value: {
                  status: 404,
                  body: { specifier: { case: 'inlineString', value: 'no farewells today' } },
                },
              },
            },
            {
              ...route(prefix(), 'ca'),
              requestHeadersToAdd: [set('x-level', 'route'), set('x-route', '1')],
              requestHeadersToRemove: ['x-debug'],
              responseHeadersToAdd: [set('x-served-by', 'mesh'), set('x-secret', 'added')],
            },
          ],
        },
      ],
    });
    assert.equal(
      s.set(
        clientListener(L),
        anyPack(envoy.RouteConfigurationSchema, rc),
        edsCluster('ca'),
        loadAssignment('ca', [{ endpoints: [{ port: servers[0]!.port }] }]),
      ),
      undefined,
    );
    return createMeshClient(Greeter, `xds:///${L}`, { xds: s });
  }

  it('mutates request headers at route, virtual host and route configuration level, the widest set winning', async () => {
    const c = client();
    try {
      let seen = new Metadata();
      const r = await c.sayHello(
        {},
        { headers: { 'x-debug': '1', 'x-app': 'y' }, onHeader: (h) => (seen = h) },
      );
      assert.equal(r.server, 'a');
      assert.equal(r.headers['x-level'], 'config');
      assert.deepEqual(
        ['x-config', 'x-vhost', 'x-route', 'x-app', 'x-debug'].map((k) => r.headers[k]),
        ['1', '1', '1', 'y', undefined],
      );
      // The route adds x-secret, the configuration removes it (wider level, applied after).
      assert.equal(seen.get('x-served-by'), 'mesh');
      assert.equal(seen.get('x-secret'), undefined);
      // Streamed responses get the same response headers.
      let streamed = new Metadata();
      for await (const _ of c.sayHelloStream({}, { onHeader: (h) => (streamed = h) })) {
      }
      assert.equal(streamed.get('x-served-by'), 'mesh');
    } finally {
      meshTransportOf(c).close();
    }
  });

  it('answers a direct_response route itself: the status’s gRPC code, the body as message, no server called', async () => {
    const c = client();
    try {
      const before = servers[0]!.calls;
      await assert.rejects(c.farewell({}), (err: RpcError) => {
        assert.equal(err.code, Code.UNIMPLEMENTED); // HTTP 404, as gRPC maps it
        assert.match(err.message, /no farewells today/);
        return true;
      });
      assert.equal(servers[0]!.calls, before);
      const d = meshTransportOf(c).lastDecision;
      assert.match(d?.error ?? '', /direct response 404/);
    } finally {
      meshTransportOf(c).close();
    }
  });
});
