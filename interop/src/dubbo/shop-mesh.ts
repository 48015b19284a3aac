// Dubbo's "shop" on Shoal, for the traffic-task suites: a real `shoal cp` process (ports it picks),
// rules applied with `shoal apply` as a user would, Shoal providers (MeshServer, registering over
// xDS as apps shop-user, shop-order, shop-detail, shop-comment on loopback IPs 127.0.0.N) and Shoal
// consumers (mesh clients that dial interface names, with an app and labels of their own).
// Internal to tests.

import type { DescService } from '@bufbuild/protobuf';
import {
  createMeshClient,
  createMeshServer,
  type MeshClient,
  type MeshServer,
  meshTransportOf,
} from '@shoal/mesh';
import { Code, RpcError } from '@shoal/rpc';
import { ShoalCpProcess, tally as tallyCalls, waitFor } from '@shoal/testing';
import { parseBootstrap, type XdsBootstrap } from '@shoal/xds';
import {
  CommentService,
  DetailService,
  OrderService,
  UserService,
} from '../gen/org/apache/dubbo/samples/shop_pb.js';

export const SERVICES = { UserService, OrderService, DetailService, CommentService } as const;
export type ServiceName = keyof typeof SERVICES;
export const iface = (s: ServiceName) => `org.apache.dubbo.samples.${s}`;

export interface ShopProvider {
  readonly id: string;
  readonly ip: string;
  readonly port: number;
  /** `ip:port`, as Dubbo's rules name an instance. */
  readonly address: string;
  readonly server: MeshServer;
  /** Extra delay for every call (ms). */
  delayMs: number;
}

export class ShopMesh {
  private readonly providersValue: ShopProvider[] = [];
  private readonly consumers: { close(): void }[] = [];
  private readonly ports = new Map<string, number>();
  private nextIp = 20;

  private constructor(private readonly cp: ShoalCpProcess) {}

  /** `shoal cp --xds-port 0 --admin-port 0` on a data dir of its own, once it prints where it listens. */
  static async start(): Promise<ShopMesh> {
    return new ShopMesh(await ShoalCpProcess.start(['--log-level', 'warn']));
  }

  get xds(): string {
    return this.cp.xds;
  }

  get admin(): string {
    return this.cp.admin;
  }

  /** `shoal apply -f - --admin …` with YAML on stdin; throws with its output when it fails. */
  apply(yaml: string): Promise<string> {
    return this.shoal(['apply', '-f', '-'], yaml);
  }

  /** `shoal get …` (its output). */
  get(...args: string[]): Promise<string> {
    return this.shoal(['get', ...args]);
  }

  /** `shoal delete KIND NAME`. */
  delete(kind: string, name: string): Promise<string> {
    return this.shoal(['delete', kind, name]);
  }

  /** `shoal instance …` (its output). */
  instance(...args: string[]): Promise<string> {
    return this.shoal(['instance', ...args]);
  }

  private async shoal(args: string[], input?: string): Promise<string> {
    const r = await this.cp.shoal(args, input);
    if (r.code !== 0) throw new Error(`shoal ${args.join(' ')}: ${r.stdout}${r.stderr}`);
    return r.stdout;
  }

  bootstrap(id: string, metadata: Record<string, unknown>, zone?: string): XdsBootstrap {
    return parseBootstrap({
      xds_servers: [{ server_uri: this.xds, channel_creds: [{ type: 'insecure' }] }],
      node: {
        id,
        metadata: { NAMESPACE: 'default', ...metadata },
        ...(zone ? { locality: { region: zone, zone } } : {}),
      },
      server_listener_resource_name_template: 'xds.istio.io/grpc/lds/inbound/%s',
    });
  }

  /** A provider of `app` serving `services`; every reply names `id`. All of an app share a port. */
  async provider(
    app: string,
    id: string,
    services: ServiceName[],
    labels: Record<string, string> = {},
  ): Promise<ShopProvider> {
    const ip = `127.0.0.${this.nextIp++}`;
    const server = createMeshServer({
      bootstrap: this.bootstrap(`${app}-${id}`, {}),
      registration: { app, labels },
    });
    const p = { id, ip, port: 0, address: '', server, delayMs: 0 };
    const answer = async (delayMs: number, ctx: { requestHeader: { toJSON(): unknown } }) => {
      const delay = delayMs + p.delayMs;
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      return { server: id, headers: ctx.requestHeader.toJSON() as Record<string, string> };
    };
    for (const s of services) {
      if (s === 'UserService')
        server.register(UserService, {
          login: (r, ctx) => answer(r.delayMs, ctx),
          getInfo: (_r, ctx) => answer(0, ctx),
        });
      if (s === 'OrderService') server.register(OrderService, { createOrder: (_r, ctx) => answer(0, ctx) });
      if (s === 'DetailService')
        server.register(DetailService, {
          getItem: (_r, ctx) => answer(0, ctx),
          async *watchItem(_r, ctx) {
            const reply = await answer(0, ctx);
            for (let i = 0; i < 3; i++) yield reply;
          },
        });
      if (s === 'CommentService')
        server.register(CommentService, { getComment: (_r, ctx) => answer(0, ctx) });
    }
    const address = await server.listen(this.ports.get(app) ?? 0, ip);
    this.ports.set(app, address.port);
    const provider: ShopProvider = Object.assign(p, { port: address.port, address: `${ip}:${address.port}` });
    this.providersValue.push(provider);
    await waitFor(() => server.isServing, `provider ${id} to be served its inbound listener`);
    return provider;
  }

  /** A consumer of one service, dialling its interface name, as app `app` with `labels`. */
  consumer<S extends ServiceName>(
    app: string,
    service: S,
    labels: Record<string, string> = {},
    zone?: string,
  ): MeshClient<(typeof SERVICES)[S]> {
    const bootstrap = this.bootstrap(
      `${app}-consumer-${this.consumers.length}`,
      { LABELS: { app, ...labels } },
      zone,
    );
    const client = createMeshClient(SERVICES[service] as DescService, iface(service), { bootstrap });
    this.consumers.push({ close: () => meshTransportOf(client).close() });
    return client as MeshClient<(typeof SERVICES)[S]>;
  }

  async stop(): Promise<void> {
    for (const c of this.consumers) c.close();
    await Promise.all(this.providersValue.map((p) => p.server.close(100)));
    await this.cp.stop();
  }

  get providers(): readonly ShopProvider[] {
    return this.providersValue;
  }

  get output(): string {
    return this.cp.output;
  }
}

/** Runs `call` `n` times; counts answers by provider id (failures by status code name). */
export const tally = (n: number, call: () => Promise<{ server: string }>) =>
  tallyCalls(n, call, (err) => Code[RpcError.from(err).code] ?? 'UNKNOWN');

/** Waits until `n` calls all land as `expected` says (a rule applied reaches clients within a second). */
export async function settle(
  n: number,
  call: () => Promise<{ server: string }>,
  expected: (counts: Record<string, number>) => boolean,
  what: string,
): Promise<Record<string, number>> {
  let last: Record<string, number> = {};
  await waitFor(
    async () => expected((last = await tally(n, call))),
    `${what} (last: ${JSON.stringify(last)})`,
    5000,
  );
  return last;
}
