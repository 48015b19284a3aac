// Shoal's built-in certificate provider (`shoal_ca`): the process makes its own key and asks
// Shoal's CA for a certificate through Istio's CA API, with a token the operator created for its
// service account (`SHOAL_TOKEN`, or `token_file`), and renews it at half its lifetime, as
// Istio's agent does, so no agent process is needed. A failed renewal is retried with backoff
// while the old certificate is still valid. Config (all optional):
//   server_uri            the CA (default: the bootstrap's first xDS server, with its channel_creds)
//   ca_certificate_file   verify a server_uri over TLS with this root
//   token_file            read the token here (each renewal re-reads it); else SHOAL_TOKEN
//   certificate_lifetime  requested lifetime, a protobuf JSON duration (default "86400s")

import { readFileSync } from 'node:fs';
import type { JsonObject } from '@bufbuild/protobuf';
import type { Transport } from '@shoal/rpc/client';
import type { XdsBootstrap, XdsServerConfig } from '../bootstrap.js';
import { createServerTransport } from '../client/server-transport.js';
import { parseServerUri } from '../client/server-uri.js';
import { createCertificate } from './ca-client.js';
import { certificateMaterial, ProviderBase } from './certificate-provider.js';
import { createWorkloadKey, type WorkloadKey } from './workload-csr.js';

export const SHOAL_CA_PLUGIN = 'shoal_ca';

export interface ShoalCaConfig {
  /** The CA's server and channel credentials. */
  readonly server: XdsServerConfig;
  readonly tokenFile?: string;
  readonly lifetimeSeconds: number;
  /** Sent with each request, so the CA can tell which client holds the certificate. */
  readonly nodeId: string;
  /**
   * Keep one key over renewals for this long (default: a new key each renewal). For writers of
   * file_watcher files: a reader cannot see a certificate and a key of different generations
   * while the key stays the same.
   */
  readonly keyLifetimeSeconds?: number;
}

export function parseShoalCaConfig(
  config: JsonObject,
  bootstrap: XdsBootstrap,
  where: string,
): ShoalCaConfig {
  const text = (key: string) => {
    const v = config[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || v === '') throw new Error(`${where}.${key}: must be a non-empty string`);
    return v;
  };
  const uri = text('server_uri');
  let server = bootstrap.xdsServers[0]!;
  const creds = server.channelCredentials;
  if (uri === undefined && creds.type === 'tls') {
    // The CA is asked before this process has a certificate: TLS that verifies the server only.
    if (creds.caCertificateFile === undefined)
      throw new Error(
        `${where}: the xDS server's channel_creds tls has no ca_certificate_file to verify the CA with (add the root from \`shoal ca root\`, or set server_uri and ca_certificate_file here)`,
      );
    server = { ...server, channelCredentials: { type: 'tls', caCertificateFile: creds.caCertificateFile } };
  }
  if (uri !== undefined) {
    const caFile = text('ca_certificate_file');
    server = {
      serverUri: uri,
      address: parseServerUri(uri),
      channelCredentials: caFile ? { type: 'tls', caCertificateFile: caFile } : { type: 'insecure' },
      serverFeatures: [],
      ignoreResourceDeletion: false,
    };
  }
  const lifetime = text('certificate_lifetime') ?? '86400s';
  const m = /^(\d+(?:\.\d+)?)s$/.exec(lifetime);
  if (!m || Number(m[1]) <= 0)
    throw new Error(`${where}.certificate_lifetime: must be a duration such as "86400s"`);
  const tokenFile = text('token_file');
  return {
    server,
    ...(tokenFile && { tokenFile }),
    lifetimeSeconds: Number(m[1]),
    nodeId: bootstrap.node.id,
  };
}

const MIN_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;

export class ShoalCaProvider extends ProviderBase {
  private readonly config: ShoalCaConfig;
  private readonly env: Readonly<Record<string, string | undefined>>;
  private readonly transport: Transport;
  private timer: NodeJS.Timeout | undefined;
  private retryMs = MIN_RETRY_MS;
  private key: { readonly value: WorkloadKey; readonly createdAt: number } | undefined;
  private readonly abort = new AbortController();

  constructor(
    instanceName: string,
    config: ShoalCaConfig,
    env: Readonly<Record<string, string | undefined>> = process.env,
  ) {
    super(instanceName, SHOAL_CA_PLUGIN);
    this.config = config;
    this.env = env;
    this.transport = createServerTransport(config.server, () => {});
    void this.renew();
  }

  override close(): void {
    super.close();
    clearTimeout(this.timer);
    this.abort.abort();
    this.transport.close();
  }

  private token(): string {
    const file = this.config.tokenFile;
    if (file !== undefined) {
      try {
        return readFileSync(file, 'utf8').trim();
      } catch (err) {
        throw new Error(`cannot read token_file ${file}: ${(err as Error).message}`);
      }
    }
    const token = this.env.SHOAL_TOKEN?.trim();
    if (!token)
      throw new Error("no token: set SHOAL_TOKEN (from `shoal token create`) or the provider's token_file");
    return token;
  }

  private async renew(): Promise<void> {
    if (this.closed) return;
    try {
      const key = await this.workloadKey();
      const chain = await createCertificate(this.transport, {
        csr: key.csr,
        token: this.token(),
        validitySeconds: this.config.lifetimeSeconds,
        metadata: { NODE_ID: this.config.nodeId },
        signal: this.abort.signal,
      });
      if (chain.length === 0) throw new Error('the CA answered with an empty chain');
      const material = certificateMaterial(
        {
          certChain: (chain.length > 1 ? chain.slice(0, -1) : chain).join(''),
          privateKey: key.privateKey,
          ...(chain.length > 1 && { roots: chain.at(-1)! }),
        },
        `certificate provider ${JSON.stringify(this.instanceName)} (shoal_ca)`,
      );
      if (this.closed) return;
      this.publish(material);
      this.retryMs = MIN_RETRY_MS;
      // Istio's agent renews at half the lifetime, counted from now: the CA backdates notBefore
      // for clocks behind its own, which would make a short-lived certificate look half gone.
      const now = Date.now();
      const { notBefore, notAfter } = material.identity!;
      const start = Math.max(notBefore.getTime(), now);
      this.schedule(Math.max(0, start + (notAfter.getTime() - start) / 2 - now));
    } catch (err) {
      if (this.closed) return;
      this.fail((err as Error).message);
      this.schedule(this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    }
  }

  private async workloadKey(): Promise<WorkloadKey> {
    const keepMs = (this.config.keyLifetimeSeconds ?? 0) * 1000;
    if (this.key === undefined || Date.now() - this.key.createdAt >= keepMs)
      this.key = { value: await createWorkloadKey(), createdAt: Date.now() };
    return this.key.value;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.renew(), ms);
    this.timer.unref();
  }
}
