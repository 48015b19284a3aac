// Processes for the replica tests: control-plane replicas (replica-main.js) on a shared etcd,
// demo greeter providers (@shoal/demo's provider process) that list every replica in their bootstrap,
// an in-process mesh consumer under steady load, and reads of each replica's admin API.

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { demoFiles, GreeterService } from '@shoal/demo';
import { createMeshClient, type MeshClient, meshTransportOf } from '@shoal/mesh';
import { RpcError } from '@shoal/rpc';
import { createXdsClient, parseBootstrap, type XdsClient } from '@shoal/xds';

export { until } from './until.js';

const replicaMain = fileURLToPath(new URL('./replica-main.js', import.meta.url));
/** The admin token every replica of a test run takes (writes need one). */
const adminToken = randomBytes(16).toString('hex');
const providerMain = demoFiles().provider;

/** Starts `node script args` and resolves once a stdout line matches `ready`. */
function startProcess(
  script: string,
  args: string[],
  ready: RegExp,
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c) => {
    err = (err + c).slice(-8000);
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (c) => {
      out += c;
      const m = ready.exec(out);
      if (m) resolve({ child, match: m });
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`${script} exited (${signal ?? code}) before ready:\n${out}\n${err}`)),
    );
  });
}

export class Replica {
  child: ChildProcess | undefined;
  constructor(
    readonly name: string,
    readonly store: string,
    readonly xdsPort: number,
    readonly adminPort: number,
    readonly graceMs = 5000,
    /** `--registry` (shoal cp's): where services come from besides the store, e.g. `zookeeper://…`. */
    readonly registry?: string,
  ) {}

  get xds(): string {
    return `127.0.0.1:${this.xdsPort}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<this> {
    const { child } = await startProcess(
      replicaMain,
      [
        '--store',
        this.store,
        '--xds-port',
        String(this.xdsPort),
        '--admin-port',
        String(this.adminPort),
        '--grace-ms',
        String(this.graceMs),
        '--admin-token',
        adminToken,
        ...(this.registry ? ['--registry', this.registry] : []),
      ],
      /ready /,
    );
    this.child = child;
    return this;
  }

  /** SIGKILL: a crash, no goodbye to etcd or to clients. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGKILL');
    await once(this.child!, 'exit');
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGTERM');
    await once(this.child!, 'exit');
  }

  async get<T>(path: string): Promise<T> {
    const res = await fetch(`http://127.0.0.1:${this.adminPort}${path}`, {
      signal: AbortSignal.timeout(3000),
    });
    return (await res.json()) as T;
  }

  async apply(yaml: string): Promise<{ version: number }> {
    const res = await fetch(`http://127.0.0.1:${this.adminPort}/api/apply`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml', authorization: `Bearer ${adminToken}` },
      body: yaml,
      signal: AbortSignal.timeout(5000),
    });
    const body = (await res.json()) as { version: number; error?: string };
    if (res.status !== 200) throw new Error(`apply on ${this.name}: ${res.status} ${body.error}`);
    return body;
  }

  /** Node ids of the xDS clients connected here. */
  async clients(): Promise<string[]> {
    const { clients } = await this.get<{ clients: { nodeId: string }[] }>('/debug/syncz');
    return clients.map((c) => c.nodeId);
  }

  /** Addresses of the endpoints this replica's registry has for `host`. */
  async endpoints(host: string): Promise<string[]> {
    const { items } = await this.get<{ items: { address: string; port: number }[] }>(
      `/api/registry/endpoints?host=${encodeURIComponent(host)}`,
    );
    return items.map((e) => `${e.address}:${e.port}`).sort();
  }
}

/** A bootstrap listing `servers` in order, any of which may serve (gRFC A71 with A95's reachability-only fallback). */
export function replicaBootstrap(id: string, servers: string[]) {
  return parseBootstrap({
    xds_servers: servers.map((uri) => ({ server_uri: uri, channel_creds: [{ type: 'insecure' }] })),
    fallback_on_reachability_only: true,
    node: { id, locality: { region: 'local', zone: 'zone-a' }, metadata: { NAMESPACE: 'default' } },
  });
}

export interface Provider {
  name: string;
  address: string;
  child: ChildProcess;
}

/** A demo greeter provider registering itself through the first reachable replica of `servers`. */
export async function startProvider(
  name: string,
  ip: string,
  port: number,
  servers: string[],
): Promise<Provider> {
  const { child } = await startProcess(
    providerMain,
    [
      `--name=${name}`,
      '--version=v1',
      '--zone=zone-a',
      `--ip=${ip}`,
      `--port=${port}`,
      `--xds=${servers.join(',')}`,
    ],
    /^serving:/m,
  );
  return { name, address: `${ip}:${port}`, child };
}

/** A mesh consumer calling greet.v1.GreeterService by interface name, `concurrency` calls at a time. */
export class LoadingConsumer {
  readonly xds: XdsClient;
  private readonly client: MeshClient<typeof GreeterService>;
  ok = 0;
  readonly failures: string[] = [];
  readonly servedBy = new Map<string, number>();
  private running = true;
  private loops: Promise<void>[] = [];

  constructor(servers: string[], concurrency = 4) {
    const bootstrap = replicaBootstrap('replica-test-consumer', servers);
    this.xds = createXdsClient({ bootstrap });
    this.client = createMeshClient(GreeterService, 'greet.v1.GreeterService', { xds: this.xds, bootstrap });
    this.loops = Array.from({ length: concurrency }, () => this.loop());
  }

  private async loop(): Promise<void> {
    while (this.running) {
      try {
        const res = await this.client.greet({ name: 'load' }, { timeoutMs: 3000 });
        this.ok++;
        this.servedBy.set(res.servedBy, (this.servedBy.get(res.servedBy) ?? 0) + 1);
      } catch (err) {
        this.failures.push(RpcError.from(err).message);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  async close(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    meshTransportOf(this.client).close();
    await this.xds.close();
  }
}
