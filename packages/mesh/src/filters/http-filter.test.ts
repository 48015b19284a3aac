// An application's own HTTP filter as a plug-in, on a mesh client and on an xDS-enabled server,
// with its config read when the resource is decoded and overridden per route (gRFC A39); and what
// A39 says of a filter no registry knows: ignored when optional, NACKed when required.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { create, fromBinary } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import { Code, createClient, RpcError } from '@shoal/rpc';
import { LISTENER_TYPE_URL } from '@shoal/xds';
import type { Problems } from '@shoal/xds/plugins';
import {
  Greeter,
  type HelloRequest,
  HelloRequestSchema,
} from '../../test/gen/shoal/meshtest/v1/greeter_pb.js';
import { type GreeterServer, startGreeters, stopAll } from '../../test/greeter-servers.js';
import {
  clientListener,
  edsCluster,
  type HttpFilterInit,
  loadAssignment,
  nonForwardingRoute,
  prefix,
  route,
  routeConfiguration,
  serverListener,
} from '../../test/xds-fixtures.js';
import { createMeshClient, meshTransportOf } from '../client/create-mesh-client.js';
import { StaticResourceSource } from '../config/static-resource-source.js';
import { createServerHttpFilterRegistry } from '../server/server-filter-registry.js';
import { createXdsEnabledServer } from '../server/xds-enabled-server.js';
import type { HttpFilterPlugin, HttpFilterPlugins } from './http-filter.js';
import { createHttpFilterRegistry } from './http-filter-registry.js';

// The test filter's config is a HelloRequest: `name` is the value it stamps on (or blocks).
const STAMP_TYPE_URL = `type.googleapis.com/${HelloRequestSchema.typeName}`;

/** A parser records what is wrong, with its path, and never throws. */
function parseStamp(bytes: Uint8Array, path: string, problems: Problems): HelloRequest | undefined {
  let config: HelloRequest;
  try {
    config = fromBinary(HelloRequestSchema, bytes);
  } catch (err) {
    problems.add(path, `cannot parse ${HelloRequestSchema.typeName}: ${(err as Error).message}`);
    return undefined;
  }
  if (config.name === '') problems.add(`${path}.name`, 'must not be empty');
  return config.name === '' ? undefined : config;
}

/** Interceptors the stamp filter has built for clients. */
let clientBuilds = 0;

/** Client: sets x-stamp to the config's name. Server: refuses calls whose x-user is the name. */
const stampFilter: HttpFilterPlugin = {
  typeUrl: STAMP_TYPE_URL,
  terminal: false,
  client: true,
  server: true,
  parseConfig: parseStamp,
  parseOverride: parseStamp,
  buildClientInterceptor(config, override, { name }) {
    const stamp = ((override ?? config) as HelloRequest).name;
    clientBuilds++;
    return (call, next) => {
      call.request.header.set('x-stamp', stamp);
      call.note(`filter ${name} stamped ${stamp}`);
      return next();
    };
  },
  buildServerInterceptor(config, override) {
    const blocked = ((override ?? config) as HelloRequest).name;
    return (call, next) =>
      call.request.header.getString('x-user') === blocked
        ? Promise.reject(new RpcError(Code.PERMISSION_DENIED, `${blocked} is blocked`))
        : next();
  },
};

const stampAny = (name: string) => anyPack(HelloRequestSchema, create(HelloRequestSchema, { name }));
const stamp = (name: string, isOptional = false): HttpFilterInit => ({
  name: 'shoal.test.stamp',
  isOptional,
  configType: { case: 'typedConfig', value: stampAny(name) },
});

const L = 'greeter:50051';

describe('HTTP filter plug-ins', () => {
  let servers: GreeterServer[];
  before(async () => {
    servers = await startGreeters('a');
  });
  after(() => stopAll(servers));

  /** A source with the stamp filter on the listener; route /Farewell overrides its config. */
  function source(
    registry: HttpFilterPlugins,
    filter: HttpFilterInit,
  ): { s: StaticResourceSource; nack: string | undefined } {
    const s = new StaticResourceSource({ httpFilters: registry });
    const nack = s.set(
      clientListener(L, { filters: [filter] }),
      routeConfiguration(L, [
        {
          name: 'vh',
          domains: [L],
          routes: [
            route({ pathSpecifier: { case: 'path', value: '/shoal.meshtest.v1.Greeter/Farewell' } }, 'ca', {
              typedPerFilterConfig: { 'shoal.test.stamp': stampAny('route') },
            }),
            route(prefix(), 'ca'),
          ],
        },
      ]),
      edsCluster('ca'),
      loadAssignment('ca', [{ endpoints: [{ port: servers[0]!.port }] }]),
    );
    return { s, nack };
  }

  it('runs an application’s client filter, with its per-route override', async () => {
    const registry = createHttpFilterRegistry().register(stampFilter);
    const { s, nack } = source(registry, stamp('listener'));
    assert.equal(nack, undefined);
    const c = createMeshClient(Greeter, `xds:///${L}`, { xds: s, httpFilters: registry });
    clientBuilds = 0;
    for (let i = 0; i < 3; i++) {
      assert.equal((await c.sayHello({})).headers['x-stamp'], 'listener');
      assert.equal((await c.farewell({})).headers['x-stamp'], 'route');
    }
    assert.equal(clientBuilds, 2, 'built once per route of the config, not per call');
    assert.ok(meshTransportOf(c).lastDecision?.why.includes('filter shoal.test.stamp stamped route'));
    meshTransportOf(c).close();
  });

  it('NACKs a required filter no registry knows, and ignores an optional one (gRFC A39)', async () => {
    const plain = createHttpFilterRegistry();
    assert.match(
      source(plain, stamp('listener')).nack ?? '',
      /http_filters\[0\]\.typed_config: unsupported client HTTP filter type\.googleapis\.com\/shoal\.meshtest\.v1\.HelloRequest/,
    );
    const { s, nack } = source(plain, stamp('listener', true));
    // The route's override of the unknown filter is not wrapped as optional: the route config is NACKed.
    assert.match(
      nack ?? '',
      /unsupported filter config override type\.googleapis\.com\/shoal\.meshtest\.v1\.HelloRequest/,
    );
    s.set(routeConfiguration(L, [{ name: 'vh', domains: [L], routes: [route(prefix(), 'ca')] }]));
    const c = createMeshClient(Greeter, `xds:///${L}`, { xds: s, httpFilters: plain });
    const reply = await c.sayHello({});
    assert.equal(reply.server, 'a');
    assert.equal(reply.headers['x-stamp'], undefined, 'the optional filter was left out');
    meshTransportOf(c).close();
  });

  it('runs an application’s server filter beside RBAC on an xDS-enabled server', async () => {
    const registry = createServerHttpFilterRegistry().register(stampFilter);
    const server = createXdsEnabledServer({ httpFilters: registry });
    server.register(Greeter, { sayHello: () => ({ server: 'x' }) });
    const { port } = await server.listen(0, '127.0.0.1');
    const s = new StaticResourceSource({ httpFilters: registry });
    assert.equal(
      s.set(
        serverListener(
          `xds.istio.io/grpc/lds/inbound/127.0.0.1:${port}`,
          port,
          {
            inline: [{ name: 'in', domains: ['*'], routes: [nonForwardingRoute(prefix())] }],
          },
          [stamp('mallory')],
        ),
      ),
      undefined,
    );
    server.watch(s);
    const client = createClient(Greeter, `127.0.0.1:${port}`);
    assert.equal((await client.sayHello({}, { headers: { 'x-user': 'alice' } })).server, 'x');
    await assert.rejects(
      client.sayHello({}, { headers: { 'x-user': 'mallory' } }),
      (e: RpcError) => e.code === Code.PERMISSION_DENIED && /mallory is blocked/.test(e.message),
    );
    assert.ok(s.watched(LISTENER_TYPE_URL).length === 1);
    await server.close();
  });
});
