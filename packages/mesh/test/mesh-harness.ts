// A whole mesh in one process for the end-to-end tests: Shoal's control plane (config store,
// registry, translator, ADS server), Shoal providers (MeshServer: xDS-enabled servers that register
// themselves through node metadata over their own XdsClient) and Shoal consumers (mesh clients
// with an XdsClient of their own). Providers listen on distinct loopback IPs (127.0.0.N) with one shared port, so they
// are endpoints of one service port, as pods are. Internal to tests.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlPlane } from '@shoal/control-plane';
import { Code, RpcError } from '@shoal/rpc';
import type { Telemetry } from '@shoal/telemetry';
import { waitFor } from '@shoal/testing';
import { parseBootstrap, type XdsBootstrap } from '@shoal/xds';
import type { CallDecision } from '../src/client/call-decision.js';
import { createMeshClient, type MeshClient, meshTransportOf } from '../src/client/create-mesh-client.js';
import { createMeshServer, type MeshServer } from '../src/server/mesh-server.js';
import { Greeter } from './gen/shoal/meshtest/v1/greeter_pb.js';

export interface ProviderOptions {
  /** Loopback IP, 127.0.0.N. */
  readonly ip: string;
  readonly labels?: Record<string, string>;
  readonly zone?: string;
  /** With a secure harness: the service account its token grants (default `greeter`). */
  readonly serviceAccount?: string;
  /** The namespace it registers in (default `default`). */
  readonly namespace?: string;
  /** With a secure harness: the lifetime its certificates are requested with. */
  readonly lifetimeSeconds?: number;
  /** Metrics and traces of this provider (as if it were a process of its own). */
  readonly telemetry?: Telemetry;
}

export interface Provider {
  readonly id: string;
  readonly ip: string;
  readonly server: MeshServer;
  calls: number;
  /** When set, calls fail with this code. */
  failWith: Code | undefined;
  /** Added to every call (ms). */
  delayMs: number;
  /** Serial numbers of the client certificates calls came with (mutual TLS). */
  readonly peerSerials: Set<string>;
  stop(): Promise<void>;
}

export type Consumer = MeshClient<typeof Greeter> & { decisions: CallDecision[] };

const REGION = 'region-1';

export class MeshHarness {
  readonly providers: Provider[] = [];
  private readonly consumers: { close(): void }[] = [];
  private port = 0;

  private constructor(
    public controlPlane: ControlPlane,
    private readonly xdsPort: number,
  ) {}

  /** Where token and root files of a secure harness go. */
  private readonly dir = mkdtempSync(join(tmpdir(), 'shoal-mesh-'));

  static async start(
    options: { loadReportingIntervalMs?: number; workloadCertTtlSeconds?: number } = {},
  ): Promise<MeshHarness> {
    const cp = new ControlPlane({ xdsPort: 0, adminPort: 0, leaseGraceMs: 0, ...options });
    const addresses = await cp.start();
    return new MeshHarness(cp, addresses.xds.port);
  }

  /** Stops the control plane; clients keep running on what they received. */
  async stopControlPlane(): Promise<void> {
    await this.controlPlane.stop(50);
  }

  /** Starts a fresh control plane (empty store) on the same ADS port; clients reconnect to it. */
  async restartControlPlane(): Promise<void> {
    this.controlPlane = new ControlPlane({ xdsPort: this.xdsPort, adminPort: 0, leaseGraceMs: 0 });
    await this.controlPlane.start();
  }

  /** The service's host and port, once a provider has started. */
  get target(): string {
    return `xds:///greeter.default.svc.cluster.local:${this.port}`;
  }

  /**
   * A bootstrap; with `identity`, a workload of that namespace and service account: a token from
   * the control plane for its built-in `shoal_ca` certificate provider, and mTLS to the xDS port.
   */
  bootstrap(
    id: string,
    zone?: string,
    identity?: { namespace: string; serviceAccount: string; lifetimeSeconds?: number },
  ): XdsBootstrap {
    const namespace = identity?.namespace ?? 'default';
    let creds: object = { type: 'insecure' };
    let providers: object | undefined;
    if (identity) {
      const { token } = this.controlPlane.tokens.create(identity);
      const tokenFile = join(this.dir, `${id}.token`);
      const rootFile = join(this.dir, 'root-cert.pem');
      writeFileSync(tokenFile, token);
      writeFileSync(rootFile, this.controlPlane.ca!.rootPem);
      creds = {
        type: 'tls',
        config: { ca_certificate_file: rootFile, certificate_provider_instance: 'default' },
      };
      providers = {
        default: {
          plugin_name: 'shoal_ca',
          config: {
            token_file: tokenFile,
            ...(identity.lifetimeSeconds && { certificate_lifetime: `${identity.lifetimeSeconds}s` }),
          },
        },
      };
    }
    return parseBootstrap({
      xds_servers: [{ server_uri: `127.0.0.1:${this.xdsPort}`, channel_creds: [creds] }],
      node: { id, ...(zone && { locality: { region: REGION, zone } }), metadata: { NAMESPACE: namespace } },
      ...(providers && { certificate_providers: providers }),
      server_listener_resource_name_template: 'xds.istio.io/grpc/lds/inbound/%s',
    });
  }

  /** Applies Istio YAML to the control plane's store; throws with the store's errors. */
  async apply(yaml: string): Promise<void> {
    await this.controlPlane.store.apply(yaml);
  }

  /** Starts a provider of the test Greeter that registers itself as app `greeter`. */
  async provider(id: string, o: ProviderOptions, secure = false): Promise<Provider> {
    const identity = secure
      ? {
          namespace: o.namespace ?? 'default',
          serviceAccount: o.serviceAccount ?? 'greeter',
          ...(o.lifetimeSeconds && { lifetimeSeconds: o.lifetimeSeconds }),
        }
      : undefined;
    const server = createMeshServer({
      bootstrap: this.bootstrap(id, o.zone, identity),
      // No client waits for these to drain; the drain itself is tested in interop/.
      drainNoticeMs: 0,
      registration: {
        app: 'greeter',
        labels: o.labels ?? {},
        ...(o.zone && { locality: { region: REGION, zone: o.zone } }),
      },
      ...(o.telemetry && { telemetry: o.telemetry }),
    });
    const p: Provider = {
      id,
      ip: o.ip,
      server,
      calls: 0,
      failWith: undefined,
      delayMs: 0,
      peerSerials: new Set(),
      stop: () => server.close(100),
    };
    const answer = async (req: { delayMs: number }, headers: Record<string, string>) => {
      p.calls++;
      const delay = req.delayMs + p.delayMs;
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      if (p.failWith !== undefined) throw new RpcError(p.failWith, `${id} fails on purpose`);
      return { server: id, headers };
    };
    server.register(Greeter, {
      sayHello: (req, ctx) => {
        const serial = ctx.security?.peerCertificate?.serialNumber;
        if (serial) p.peerSerials.add(serial);
        return answer(req, ctx.requestHeader.toJSON() as Record<string, string>);
      },
      farewell: (req, ctx) => answer(req, ctx.requestHeader.toJSON() as Record<string, string>),
    });
    const address = await server.listen(this.port, o.ip);
    this.port = address.port;
    this.providers.push(p);
    await waitFor(() => server.isServing, `provider ${id} to get its inbound listener`);
    return p;
  }

  /** A mesh client of the service (or of `target`), in `zone`, with an XdsClient of its own. */
  consumer(
    o: {
      zone?: string;
      target?: string;
      serviceAccount?: string;
      lifetimeSeconds?: number;
      telemetry?: Telemetry;
    } = {},
  ): Consumer {
    const identity =
      o.serviceAccount !== undefined
        ? {
            namespace: 'default',
            serviceAccount: o.serviceAccount,
            ...(o.lifetimeSeconds && { lifetimeSeconds: o.lifetimeSeconds }),
          }
        : undefined;
    const bootstrap = this.bootstrap(`consumer-${this.consumers.length}`, o.zone, identity);
    const decisions: CallDecision[] = [];
    const client = createMeshClient(Greeter, o.target ?? this.target, {
      bootstrap,
      onDecision: (d) => decisions.push(d),
      ...(o.telemetry && { telemetry: o.telemetry }),
    });
    this.consumers.push({ close: () => meshTransportOf(client).close() });
    return Object.assign(client, { decisions });
  }

  async stop(): Promise<void> {
    for (const c of this.consumers) c.close();
    await Promise.all(this.providers.map((p) => p.stop()));
    await this.controlPlane.stop(100);
  }
}

export { waitFor };

/** Calls `n` times and counts replies by server id (errors by code name). */
export async function tally(
  c: Consumer,
  n: number,
  headers?: Record<string, string>,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    let key: string;
    try {
      key = (await c.sayHello({}, headers ? { headers } : {})).server;
    } catch (err) {
      key = Code[RpcError.from(err).code] ?? 'UNKNOWN';
    }
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
