import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import {
  Code,
  createClient,
  Health,
  type RpcError,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from '@shoal/rpc';
import { envoy, LISTENER_TYPE_URL, parseBootstrap, ROUTE_CONFIGURATION_TYPE_URL } from '@shoal/xds';
import { Greeter } from '../../test/gen/shoal/meshtest/v1/greeter_pb.js';
import {
  nonForwardingRoute,
  prefix,
  rbacFilter,
  route,
  routeConfiguration,
  serverListener,
} from '../../test/xds-fixtures.js';
import { StaticResourceSource } from '../config/static-resource-source.js';
import { createXdsEnabledServer } from './xds-enabled-server.js';

async function start(options: Parameters<typeof createXdsEnabledServer>[0] = {}, host = '127.0.0.1') {
  const statuses: [boolean, string][] = [];
  const s = createXdsEnabledServer({
    ...options,
    standardServices: true,
    onServingStatus: (on, why) => statuses.push([on, why]),
  });
  s.register(Greeter, { sayHello: () => ({ server: 'x' }), farewell: () => ({ server: 'bye' }) });
  const address = await s.listen(0, host);
  const target = `127.0.0.1:${address.port}`; // an IPv4 client, also of a dual-stack (::) listener
  return {
    s,
    address,
    statuses,
    client: createClient(Greeter, target),
    health: createClient(Health, target),
  };
}

describe('XdsEnabledServer (gRFC A36)', () => {
  it('is NOT_SERVING until its inbound listener arrives, then serves non_forwarding routes only', async () => {
    const { s, address, statuses, client, health } = await start();
    const name = `xds.istio.io/grpc/lds/inbound/127.0.0.1:${address.port}`;
    assert.equal(s.inboundListenerName, name);
    const source = new StaticResourceSource();
    s.watch(source);
    await assert.rejects(
      client.sayHello({}),
      (e: RpcError) =>
        e.code === Code.UNAVAILABLE && /not serving: waiting for the inbound listener/.test(e.message),
    );
    assert.equal(
      (await health.check({ service: 'shoal.meshtest.v1.Greeter' })).status,
      ServingStatus.NOT_SERVING,
    );

    source.set(
      serverListener(name, address.port, {
        inline: [
          {
            name: 'inbound',
            domains: ['*'],
            routes: [
              route(
                { pathSpecifier: { case: 'path', value: '/shoal.meshtest.v1.Greeter/Farewell' } },
                'elsewhere',
              ),
              nonForwardingRoute(prefix()),
            ],
          },
        ],
      }),
    );
    assert.equal(s.isServing, true);
    assert.deepEqual(statuses.at(-1), [true, 'serving']);
    assert.equal((await client.sayHello({})).server, 'x');
    assert.equal(
      (await health.check({ service: 'shoal.meshtest.v1.Greeter' })).status,
      ServingStatus.SERVING,
    );
    await assert.rejects(
      client.farewell({}),
      (e: RpcError) => e.code === Code.UNAVAILABLE && /is not a non_forwarding route/.test(e.message),
    );

    source.remove(LISTENER_TYPE_URL, name);
    assert.equal(s.isServing, false);
    await assert.rejects(client.sayHello({}), /inbound listener .* does not exist/);
    await s.close(100);
  });

  it('follows RDS for its routes and keeps the last good listener on a NACK', async () => {
    const { s, address, client } = await start();
    const name = s.inboundListenerName!;
    const source = new StaticResourceSource();
    source.set(serverListener(name, address.port, { rds: 'inbound-routes' }));
    s.watch(source);
    assert.equal(s.isServing, false, 'RDS not here yet');
    source.set(
      routeConfiguration('inbound-routes', [
        {
          name: 'vh',
          domains: ['*'],
          routes: [nonForwardingRoute(prefix('/shoal.meshtest.v1.Greeter/Say'))],
        },
      ]),
    );
    assert.equal(s.isServing, true);
    assert.equal((await client.sayHello({})).server, 'x');
    await assert.rejects(client.farewell({}), /no route of inbound listener/);
    const nack = source.set(serverListener(name, address.port, { rds: '' }));
    assert.ok(nack);
    assert.equal((await client.sayHello({})).server, 'x', 'still serving on the last good listener');
    source.remove(ROUTE_CONFIGURATION_TYPE_URL, 'inbound-routes');
    assert.match(s.notServingReason ?? '', /route configuration "inbound-routes" does not exist/);
    await s.close(100);
  });

  it('uses the bootstrap template, and can serve without a listener when told to', async () => {
    const bootstrap = parseBootstrap({
      xds_servers: [{ server_uri: 'localhost:1', channel_creds: [{ type: 'insecure' }] }],
      node: { id: 'n' },
      server_listener_resource_name_template: 'grpc/server?xds.resource.listening_address=%s',
    });
    const { s, address, client } = await start({ bootstrap, serveWithoutListener: true });
    assert.equal(
      s.inboundListenerName,
      `grpc/server?xds.resource.listening_address=127.0.0.1:${address.port}`,
    );
    assert.equal((await client.sayHello({})).server, 'x');
    await s.close(100);
  });

  it('enforces the chain’s RBAC filter, with per-route overrides (gRFC A41)', async () => {
    const { s, address, client } = await start();
    const name = s.inboundListenerName!;
    const source = new StaticResourceSource();
    const onlyHello = {
      rules: {
        action: envoy.RBAC_Action.ALLOW,
        policies: {
          hello: {
            permissions: [
              {
                rule: {
                  case: 'urlPath' as const,
                  value: {
                    rule: {
                      case: 'path' as const,
                      value: {
                        matchPattern: { case: 'prefix' as const, value: '/shoal.meshtest.v1.Greeter/Say' },
                      },
                    },
                  },
                },
              },
            ],
            principals: [{ identifier: { case: 'any' as const, value: true } }],
          },
        },
      },
    };
    const routes = (farewellOverride: boolean) => [
      {
        name: 'inbound',
        domains: ['*'],
        routes: [
          {
            ...nonForwardingRoute({
              pathSpecifier: { case: 'path', value: '/shoal.meshtest.v1.Greeter/Farewell' },
            }),
            ...(farewellOverride && {
              typedPerFilterConfig: {
                'envoy.filters.http.rbac': anyPack(
                  envoy.RbacFilterPerRouteSchema,
                  create(envoy.RbacFilterPerRouteSchema, {}),
                ),
              },
            }),
          },
          nonForwardingRoute(prefix()),
        ],
      },
    ];
    source.set(serverListener(name, address.port, { inline: routes(false) }, [rbacFilter(onlyHello)]));
    s.watch(source);
    assert.equal((await client.sayHello({})).server, 'x');
    await assert.rejects(
      client.farewell({}),
      (e: RpcError) => e.code === Code.PERMISSION_DENIED && /RBAC: access denied/.test(e.message),
    );
    source.set(serverListener(name, address.port, { inline: routes(true) }, [rbacFilter(onlyHello)]));
    assert.equal(
      (await client.farewell({})).server,
      'bye',
      'RBACPerRoute without rules turns RBAC off on that route',
    );
    await s.close(100);
  });

  it('evaluates RBAC address rules against the connection (gRFC A41), IPv4-mapped on a :: listener', async () => {
    // On a dual-stack listener node reports the IPv4 client as ::ffff:127.0.0.1 at both ends.
    for (const host of ['127.0.0.1', '::']) {
      const { s, address, client } = await start({}, host);
      try {
        await checkAddressRules(s, address.port, client, host);
      } finally {
        await s.close(100);
      }
    }
  });

  it('does not serve a listener for another address (gRFC A36)', async () => {
    const { s, address } = await start();
    const source = new StaticResourceSource();
    source.set(
      serverListener(s.inboundListenerName!, address.port + 1, {
        inline: [{ name: 'v', domains: ['*'], routes: [nonForwardingRoute(prefix())] }],
      }),
    );
    s.watch(source);
    assert.equal(s.isServing, false);
    assert.match(
      s.notServingReason ?? '',
      new RegExp(`is for port ${address.port + 1}, but this server listens on ${address.port}`),
    );
    await s.close(100);
  });

  it('refuses watch() before listen()', () => {
    const s = createXdsEnabledServer();
    assert.throws(() => s.watch(new StaticResourceSource()), /call listen\(\) before watch\(\)/);
  });
});

/** RBAC address rules (gRFC A41) on one xDS-enabled server, as seen by an IPv4 client. */
async function checkAddressRules(
  s: ReturnType<typeof createXdsEnabledServer>,
  port: number,
  client: Awaited<ReturnType<typeof start>>['client'],
  host: string,
): Promise<void> {
  const name = s.inboundListenerName!;
  const source = new StaticResourceSource();
  s.watch(source);
  const cidr = (range: string) => {
    const [addressPrefix, len] = range.split('/');
    return { addressPrefix, prefixLen: Number(len) };
  };
  const anyPermission = { rule: { case: 'any' as const, value: true } };
  const anyPrincipal = { identifier: { case: 'any' as const, value: true } };
  type Who = 'remoteIp' | 'directRemoteIp' | 'sourceIp';
  const byPeer = (action: envoy.RBAC_Action, who: Who, range: string) => ({
    rules: {
      action,
      policies: {
        [`${who} ${range}`]: {
          permissions: [anyPermission],
          principals: [{ identifier: { case: who, value: cidr(range) } }],
        },
      },
    },
  });
  const byDestination = (range: string) => ({
    rules: {
      action: envoy.RBAC_Action.ALLOW,
      policies: {
        [`destination ${range}`]: {
          permissions: [{ rule: { case: 'destinationIp' as const, value: cidr(range) } }],
          principals: [anyPrincipal],
        },
      },
    },
  });
  const outcome = async (rbac: Parameters<typeof rbacFilter>[0]) => {
    const routes = [{ name: 'v', domains: ['*'], routes: [nonForwardingRoute(prefix())] }];
    source.set(serverListener(name, port, { inline: routes }, [rbacFilter(rbac)]));
    return client.sayHello({}).then(
      (r) => r.server,
      (e: RpcError) => `${Code[e.code]}: ${e.rawMessage}`,
    );
  };
  const { ALLOW, DENY } = envoy.RBAC_Action;
  const denied = (policy: string) => `PERMISSION_DENIED: RBAC: access denied by policy "${policy}"`;
  // An address the server could not see would be "unknown": denied by ALLOW and DENY alike,
  // so each rule is checked both ways.
  assert.equal(await outcome(byPeer(ALLOW, 'remoteIp', '127.0.0.0/8')), 'x', host);
  assert.equal(await outcome(byPeer(ALLOW, 'directRemoteIp', '127.0.0.1/32')), 'x', host);
  assert.equal(await outcome(byPeer(ALLOW, 'sourceIp', '127.0.0.0/8')), 'x', host);
  assert.match(await outcome(byPeer(ALLOW, 'remoteIp', '10.0.0.0/8')), /^PERMISSION_DENIED/, host);
  assert.equal(
    await outcome(byPeer(DENY, 'directRemoteIp', '127.0.0.0/8')),
    denied('directRemoteIp 127.0.0.0/8'),
    host,
  );
  assert.equal(await outcome(byPeer(DENY, 'directRemoteIp', '10.0.0.0/8')), 'x', host);
  // The IPv4-mapped form of the range matches too; an IPv6-only range does not.
  assert.equal(await outcome(byPeer(ALLOW, 'remoteIp', '::ffff:127.0.0.0/104')), 'x', host);
  assert.match(await outcome(byPeer(ALLOW, 'remoteIp', '::1/128')), /^PERMISSION_DENIED/, host);
  // destination_ip: the connection's local address, known on a wildcard listener too.
  assert.equal(await outcome(byDestination('127.0.0.1/32')), 'x', host);
  assert.match(await outcome(byDestination('10.0.0.0/8')), /^PERMISSION_DENIED/, host);
}
