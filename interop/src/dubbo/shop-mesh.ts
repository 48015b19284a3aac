// Dubbo's "shop" on Shoal, for the traffic-task suites: a real `shoal cp` process (ports it picks),
// rules applied with `shoal apply` as a user would, Shoal providers (MeshServer, registering over
// xDS as apps shop-user, shop-order, shop-detail, shop-comment on loopback IPs 127.0.0.N) and Shoal
// consumers (mesh clients that dial interface names, with an app and labels of their own).
// Internal to tests.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DescService } from '@bufbuild/protobuf';
import {
  createMeshClient,
  createMeshServer,
  type MeshClient,
  type MeshServer,
  meshTransportOf,
} from '@shoal/mesh';
import { Code, RpcError } from '@shoal/rpc';
import { parseBootstrap, type XdsBootstrap } from '@shoal/xds';
import {
  CommentService,
  DetailService,
  OrderService,
  UserService,
} from '../gen/org/apache/dubbo/samples/shop_pb.js';

export const SHOAL_BIN = fileURLToPath(new URL('../../../packages/cli/bin/shoal.js', import.meta.url));

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
  readonly #providers: ShopProvider[] = [];
  readonly #consumers: { close(): void }[] = [];
  readonly #ports = new Map<string, number>();
  #nextIp = 20;

  private constructor(
    private readonly cp: ChildProcess,
    readonly xds: string,
    readonly admin: string,
    private readonly log: () => string,
    /** The cp's data dir: the CLI's writes read its admin token there. */
    private readonly dataDir: string,
  ) {}

  /** `shoal cp --xds-port 0 --admin-port 0` on a data dir of its own, once it prints where it listens. */
  static async start(): Promise<ShopMesh> {
    const dataDir = mkdtempSync(join(tmpdir(), 'shoal-shop-mesh-'));
    const cp = spawn(process.execPath, [
      SHOAL_BIN,
      'cp',
      '--data-dir',
      dataDir,
      '--xds-port',
      '0',
      '--admin-port',
      '0',
      '--log-level',
      'warn',
    ]);
    let output = '';
    cp.stderr!.on('data', (c) => (output += c));
    const [xds, admin] = await new Promise<[string, string]>((resolve, reject) => {
      cp.stdout!.on('data', (chunk) => {
        output += chunk;
        const m = /xDS \(ADS\) on ([\d.]+:\d+), admin API on http:\/\/([\d.]+:\d+)/.exec(output);
        if (m) resolve([m[1]!, m[2]!]);
      });
      cp.once('exit', () => reject(new Error(`shoal cp exited: ${output}`)));
    });
    cp.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
    return new ShopMesh(cp, xds, admin, () => output, dataDir);
  }

  /** `shoal apply -f - --admin …` with YAML on stdin; throws with its output when it fails. */
  apply(yaml: string): Promise<string> {
    return this.#shoal(['apply', '-f', '-'], yaml);
  }

  /** `shoal get …` (its output). */
  get(...args: string[]): Promise<string> {
    return this.#shoal(['get', ...args]);
  }

  /** `shoal delete KIND NAME`. */
  delete(kind: string, name: string): Promise<string> {
    return this.#shoal(['delete', kind, name]);
  }

  #shoal(args: string[], input?: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = execFile(
        process.execPath,
        [SHOAL_BIN, ...args, '--admin', this.admin],
        { timeout: 20_000, env: { ...process.env, SHOAL_DATA_DIR: this.dataDir } },
        (error, stdout, stderr) =>
          error ? reject(new Error(`shoal ${args.join(' ')}: ${stdout}${stderr}`)) : resolve(stdout),
      );
      child.stdin!.end(input ?? '');
    });
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
    const ip = `127.0.0.${this.#nextIp++}`;
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
    const address = await server.listen(this.#ports.get(app) ?? 0, ip);
    this.#ports.set(app, address.port);
    const provider: ShopProvider = Object.assign(p, { port: address.port, address: `${ip}:${address.port}` });
    this.#providers.push(provider);
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
      `${app}-consumer-${this.#consumers.length}`,
      { LABELS: { app, ...labels } },
      zone,
    );
    const client = createMeshClient(SERVICES[service] as DescService, iface(service), { bootstrap });
    this.#consumers.push({ close: () => meshTransportOf(client).close() });
    return client as MeshClient<(typeof SERVICES)[S]>;
  }

  async stop(): Promise<void> {
    for (const c of this.#consumers) c.close();
    await Promise.all(this.#providers.map((p) => p.server.close(100)));
    this.cp.kill('SIGTERM');
    if (this.cp.exitCode === null) await new Promise((r) => this.cp.once('exit', r));
  }

  get providers(): readonly ShopProvider[] {
    return this.#providers;
  }

  get output(): string {
    return this.log();
  }
}

/** Polls `check` until it holds (every 20 ms, up to `timeoutMs`). */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs `call` `n` times; counts answers by provider id (failures by status code name). */
export async function tally(
  n: number,
  call: () => Promise<{ server: string }>,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    let key: string;
    try {
      key = (await call()).server;
    } catch (err) {
      key = Code[RpcError.from(err).code] ?? 'UNKNOWN';
    }
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

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
