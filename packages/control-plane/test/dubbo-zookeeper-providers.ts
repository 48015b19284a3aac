// Internal, for tests only: Dubbo providers as Dubbo Java registers them in ZooKeeper (plain
// Triple servers here, @shoal/rpc, answering with their id), the ZooKeeper client's callbacks as
// promises, and a tally of which provider answered.
// Dubbo: ZooKeeper layout /dubbo/<interface>/providers/<url-encoded provider URL>.

import { createServer, type Server } from '@shoal/rpc';
import zookeeper from 'node-zookeeper-client';
import { encodeDubbo } from '../src/registry/zookeeper/dubbo-url.js';
import { UserService } from './shop-services.js';

export const USER = 'org.apache.dubbo.samples.UserService';

/** A Triple provider answering with its id (a Dubbo Java provider's part, as far as the wire goes). */
export async function tripleProvider(
  id: string,
  ip: string,
  port: number,
): Promise<{ server: Server; port: number }> {
  const server = createServer();
  server.register(UserService, { getInfo: () => ({ server: id }), login: () => ({ server: id }) } as never);
  const address = await server.listen(port, ip);
  return { server, port: address.port };
}

/** The provider URL Dubbo 3 registers for a Triple service, as ZooKeeper's node name. */
export const providerNode = (ip: string, port: number, params: string) =>
  encodeDubbo(
    `tri://${ip}:${port}/${USER}?anyhost=true&application=shop-user&deprecated=false&dubbo=2.0.2&dynamic=true&generic=false&interface=${USER}&methods=getInfo,login&pid=4242&release=3.2.4&side=provider&timestamp=1722955607339${params}`,
  );

/** A node-zookeeper-client call as a promise. */
export const zkCall = <T>(f: (done: (err: unknown, v?: T) => void) => void) =>
  new Promise<T>((resolve, reject) => f((err, v) => (err ? reject(err) : resolve(v as T))));

/** A ZooKeeper client, once connected. */
export async function zooKeeperClient(connect: string): Promise<zookeeper.Client> {
  const client = zookeeper.createClient(connect);
  await new Promise<void>((resolve) => {
    client.once('connected', () => resolve());
    client.connect();
  });
  return client;
}

/** Registers the provider on each `[ip, region]` (all on `port`) as ephemeral nodes, as Dubbo does. */
export async function registerProviders(
  dubbo: zookeeper.Client,
  port: number,
  providers: readonly (readonly [ip: string, region: string])[],
): Promise<void> {
  await zkCall((done) => dubbo.mkdirp(`/dubbo/${USER}/providers`, done));
  for (const [ip, region] of providers) {
    const node = `/dubbo/${USER}/providers/${providerNode(ip, port, `&region=${region}`)}`;
    await zkCall((done) => dubbo.create(node, Buffer.from(ip), zookeeper.CreateMode.EPHEMERAL, done));
  }
}
