// One DNS name with an address per control plane as a client's only `server_uri` (issue 15, beside
// several `xds_servers`): each connection tries every address the name resolves to until one
// answers, so the client fails over to the next control plane when its own goes away. No DNS
// server runs here and no name on these machines resolves to two addresses, so the xDS client is
// given a resolver (XdsClientOptions.lookup, node:dns's lookup contract with `all: true`) that
// answers the test's name with 127.0.0.1 and ::1; a real control plane listens on each, on the
// same port; every other name goes to node:dns. Each control plane sends the provider of its own
// letter, so the answers say whose config the client holds.

import assert from 'node:assert/strict';
import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createMeshClient, meshTransportOf } from '@shoal/mesh';
import { createServer, type Server } from '@shoal/rpc';
import { createXdsClient, parseBootstrap, type XdsClient } from '@shoal/xds';
import { ControlPlane } from '../src/control-plane.js';
import { UserService } from './shop-services.js';
import { until } from './until.js';

const NAME = 'xds.replicas.test';
const HOST = 'users.shop.svc.cluster.local';
const ADDRESSES = [
  { address: '127.0.0.1', family: 4 },
  { address: '::1', family: 6 },
];

const lookup: LookupFunction = (hostname, options, callback) => {
  if (hostname !== NAME) return dns.lookup(hostname, options, callback);
  if (options.all) return callback(null, ADDRESSES);
  callback(null, ADDRESSES[0]!.address, ADDRESSES[0]!.family);
};

const serviceEntry = (port: number) => `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: users, namespace: default }
spec:
  hosts: [${HOST}]
  ports: [{ number: 7000, name: grpc, protocol: GRPC }]
  resolution: STATIC
  endpoints: [{ address: 127.0.0.1, ports: { grpc: ${port} } }]
`;

describe('clients listing one DNS name for several control planes', () => {
  const providers: Server[] = [];
  const ports: number[] = [];
  let a: ControlPlane;
  let b: ControlPlane;
  let xds: XdsClient;
  let users: { getInfo(r: object): Promise<{ server: string }> };
  let closeClient = () => {};

  before(async () => {
    for (const id of ['a', 'b']) {
      const server = createServer();
      server.register(UserService, {
        getInfo: () => ({ server: id }),
        login: () => ({ server: id }),
      } as never);
      ports.push((await server.listen(0, '127.0.0.1')).port);
      providers.push(server);
    }
    a = new ControlPlane({ xdsPort: 0, adminPort: 0, host: '127.0.0.1' });
    const port = (await a.start()).xds.port;
    b = new ControlPlane({ xdsPort: port, adminPort: 0, host: '::1' });
    await b.start();
    await a.store.apply(serviceEntry(ports[0]!));
    await b.store.apply(serviceEntry(ports[1]!));
    xds = createXdsClient({
      bootstrap: parseBootstrap({
        xds_servers: [{ server_uri: `${NAME}:${port}`, channel_creds: [{ type: 'insecure' }] }],
        node: { id: 'shop-frontend-1', metadata: { NAMESPACE: 'default' } },
      }),
      lookup,
    });
    const client = createMeshClient(UserService, `xds:///${HOST}:7000`, { xds });
    closeClient = () => meshTransportOf(client).close();
    users = client as unknown as typeof users;
  });

  after(async () => {
    closeClient();
    await xds?.close();
    await Promise.all([a?.stop(0), b?.stop(0)]);
    await Promise.all(providers.map((p) => p.close()));
  });

  it('connects to the first address that answers, then fails over to the next when it goes', async () => {
    assert.equal((await users.getInfo({})).server, 'a', 'config from the control plane on 127.0.0.1');
    assert.equal(a.ads.streamCount, 1);
    assert.equal(b.ads.streamCount, 0);

    // Calls go on while the client moves: it serves from what it holds meanwhile.
    let failed = 0;
    let calls = 0;
    let running = true;
    const load = (async () => {
      while (running) {
        calls++;
        await users.getInfo({}).catch(() => failed++);
      }
    })();
    await a.stop(0);
    const movedMs = await until(
      'the client to follow the control plane on ::1',
      async () => b.ads.streamCount === 1 && (await users.getInfo({})).server === 'b',
      10_000,
    );
    running = false;
    await load;
    assert.equal(failed, 0, `${failed} of ${calls} calls failed while the client moved`);
    // Its reconnect backoff first probes every random(0, 250 ms): the next address answers at once.
    assert.ok(movedMs < 5000, `moved in ${movedMs} ms`);
  });
});
