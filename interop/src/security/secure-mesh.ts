// Test support for the security interop suite: Shoal's control plane (its CA, PeerAuthentication
// STRICT), Shoal xDS-enabled servers with certificates from the built-in shoal_ca provider, the
// real `shoal agent` writing certificates and a bootstrap for peers, and @grpc/grpc-js-xds peers
// in child processes on those bootstraps. Every process is stopped by its owner's `after`.

import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ControlPlane } from '@shoal/control-plane';
import { createMeshServer, type MeshServer } from '@shoal/mesh';
import { parseBootstrap } from '@shoal/xds';
import { TestService } from '../gen/grpc/testing/test_pb.js';
import { xdsTestServiceImpl } from '../xds/test-service-impl.js';

const shoalBin = fileURLToPath(new URL('../../../packages/cli/bin/shoal.js', import.meta.url));
const peerEntry = fileURLToPath(new URL('./grpc-js-xds-peer.js', import.meta.url));

export const STRICT = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: default, namespace: istio-system }
spec: { mtls: { mode: STRICT } }
`;

export class SecureMesh {
  readonly dir = mkdtempSync(join(tmpdir(), 'shoal-secure-peers-'));
  readonly #children: ChildProcess[] = [];
  readonly #servers: MeshServer[] = [];

  private constructor(
    readonly cp: ControlPlane,
    readonly xds: string,
  ) {}

  static async start(): Promise<SecureMesh> {
    const cp = new ControlPlane({ xdsPort: 0, adminPort: 0, leaseGraceMs: 0 });
    const { xds } = await cp.start();
    const mesh = new SecureMesh(cp, `127.0.0.1:${xds.port}`);
    writeFileSync(join(mesh.dir, 'root-cert.pem'), cp.ca!.rootPem);
    cp.store.apply(STRICT);
    return mesh;
  }

  /** A token file for `default/<sa>`. */
  tokenFile(sa: string): string {
    const file = join(this.dir, `${sa}-${Math.random().toString(36).slice(2)}.token`);
    writeFileSync(file, this.cp.tokens.create({ namespace: 'default', serviceAccount: sa }).token);
    return file;
  }

  /** Runs `shoal agent` for `default/<sa>` until it has written its files; resolves with where. */
  async agent(
    sa: string,
    lifetime = '24h',
  ): Promise<{ bootstrap: string; certDir: string; output: () => string }> {
    const certDir = join(this.dir, `certs-${sa}-${this.#children.length}`);
    const bootstrap = join(this.dir, `bootstrap-${sa}-${this.#children.length}.json`);
    const child = spawn(process.execPath, [
      shoalBin,
      'agent',
      '--identity',
      `default/${sa}`,
      '--token-file',
      this.tokenFile(sa),
      '--bootstrap-out',
      bootstrap,
      '--cert-dir',
      certDir,
      '--xds-address',
      this.xds,
      '--root-cert',
      join(this.dir, 'root-cert.pem'),
      '--name',
      sa,
      '--cert-lifetime',
      lifetime,
    ]);
    this.#children.push(child);
    let out = '';
    child.stdout!.on('data', (c) => (out += c));
    child.stderr!.on('data', (c) => (out += c));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`shoal agent did not start: ${out}`)), 20_000);
      child.stdout!.on('data', () => {
        if (!/wrote .*; certificates in/.test(out)) return;
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', (code) => reject(new Error(`shoal agent exited ${code}: ${out}`)));
    });
    return { bootstrap, certDir, output: () => out };
  }

  /** A Shoal xDS-enabled server of TestService registered as `app`, running as `default/<sa>`. */
  async shoalServer(
    app: string,
    sa: string,
    lifetimeSeconds?: number,
  ): Promise<{ server: MeshServer; port: number; peerSerials: Set<string> }> {
    const bootstrap = parseBootstrap({
      xds_servers: [
        {
          server_uri: this.xds,
          channel_creds: [
            {
              type: 'tls',
              config: {
                ca_certificate_file: join(this.dir, 'root-cert.pem'),
                certificate_provider_instance: 'default',
              },
            },
          ],
        },
      ],
      node: { id: `${app}-${sa}`, metadata: { NAMESPACE: 'default' } },
      certificate_providers: {
        default: {
          plugin_name: 'shoal_ca',
          config: {
            token_file: this.tokenFile(sa),
            ...(lifetimeSeconds && { certificate_lifetime: `${lifetimeSeconds}s` }),
          },
        },
      },
      server_listener_resource_name_template: 'xds.istio.io/grpc/lds/inbound/%s',
    });
    const peerSerials = new Set<string>();
    const server = createMeshServer({
      bootstrap,
      registration: { app },
      interceptors: [
        (next) => (req) => {
          const serial = req.context?.security?.peerCertificate?.serialNumber;
          if (serial) peerSerials.add(serial);
          return next(req);
        },
      ],
    });
    server.register(TestService, xdsTestServiceImpl({ hostname: `shoal-${app}`, serverId: app }));
    const { port } = await server.listen(0, '127.0.0.1');
    this.#servers.push(server);
    const until = Date.now() + 15_000;
    while (!server.isServing) {
      if (Date.now() > until) throw new Error(`${app} never served: ${server.notServingReason}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return { server, port, peerSerials };
  }

  /** A grpc-js-xds peer (client or server role, the latter on `port`) on a bootstrap file. */
  peer(role: 'client' | 'server', bootstrap: string, port = 0): GrpcJsXdsPeer {
    const child = fork(peerEntry, [role, String(port)], {
      env: { ...process.env, GRPC_XDS_BOOTSTRAP: bootstrap, GRPC_XDS_BOOTSTRAP_CONFIG: '' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.#children.push(child);
    return new GrpcJsXdsPeer(child);
  }

  async stop(): Promise<void> {
    for (const child of this.#children) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(this.#servers.map((s) => s.close(100)));
    await this.cp.stop(100);
  }
}

export interface PeerCounts {
  counts: Record<string, number>;
  failures: number;
  codes: Record<number, number>;
  firstError?: string;
}

export class GrpcJsXdsPeer {
  #next = 0;
  #output = '';

  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (c) => (this.#output += c));
    child.stderr?.on('data', (c) => (this.#output += c));
  }

  get output(): string {
    return this.#output;
  }

  /** Client role: `calls` TestService calls to `target`; with `fresh`, a new channel per 20. */
  calls(target: string, calls: number, fresh = false): Promise<PeerCounts> {
    const id = ++this.#next;
    return new Promise((resolve) => {
      const onMessage = (m: PeerCounts & { id: number }) => {
        if (m.id !== id) return;
        this.child.off('message', onMessage);
        resolve(m);
      };
      this.child.on('message', onMessage);
      this.child.send({ id, target, calls, fresh });
    });
  }

  /** Server role: the port it bound. */
  port(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.child.once('message', (m: { port: number }) => resolve(m.port));
      this.child.once('exit', (code) =>
        reject(new Error(`grpc-js-xds server exited ${code}: ${this.#output}`)),
      );
    });
  }
}
