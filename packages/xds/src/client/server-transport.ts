// The @shoal/rpc transport to one xDS server, from its bootstrap entry (gRFC A27 channel_creds;
// gRFC A65 `tls` credentials: CA, optional client certificate for mTLS, read again for each new
// connection so rotated files are used; or, Shoal's extension, the certificate of a bootstrap
// certificate provider). It says when a connection is up, because gRFC A57 starts does-not-exist
// timers only once a request can reach the server.
import { readFileSync } from 'node:fs';
import { isIP, type LookupFunction } from 'node:net';
import { type ClientTlsOptions, Code, GrpcTransport, RpcError, type Transport } from '@shoal/rpc/client';
import { SessionPool, type SessionPoolOptions } from '@shoal/rpc/plugins';
import type { XdsServerConfig } from '../bootstrap.js';
import type { CertificateProviders } from '../security/certificate-providers.js';

/**
 * Builds the transport for a server; replaceable in XdsClientOptions (e.g. custom TLS). The
 * transport calls `onConnected` whenever a call has a connection to the server (a transport that
 * cannot tell calls it as each call starts): requested resources start their does-not-exist timers
 * only then, so a connection that hangs is never mistaken for missing resources (gRFC A57).
 */
export type XdsTransportFactory = (
  server: XdsServerConfig,
  onConnected: () => void,
  context?: {
    readonly certificateProviders?: CertificateProviders;
    /** Resolves the server's host name (XdsClientOptions.lookup); every address is tried in turn. */
    readonly lookup?: LookupFunction;
  },
) => Transport;

/** A pool that reports each connection it hands out once that connection is up. */
class ConnectionReportingPool extends SessionPool {
  constructor(
    options: SessionPoolOptions,
    private readonly onConnected: () => void,
  ) {
    super(options);
  }

  override acquire(address: string): ReturnType<SessionPool['acquire']> {
    const acquired = super.acquire(address);
    const { session } = acquired;
    if (!session.connecting && !session.destroyed) queueMicrotask(this.onConnected);
    else session.once('connect', this.onConnected);
    return acquired;
  }
}

/** A transport over its own pool, closing both together; calls wait for a provider's first certificate. */
class PooledTransport implements Transport {
  constructor(
    private readonly transport: GrpcTransport,
    private readonly pool: SessionPool,
    private readonly ready?: () => Promise<unknown> | undefined,
  ) {}

  call(...args: Parameters<Transport['call']>): ReturnType<Transport['call']> {
    const waiting = this.ready?.();
    if (waiting === undefined) return this.transport.call(...args);
    return waiting.then(
      () => this.transport.call(...args),
      (err: Error) => Promise.reject(new RpcError(Code.UNAVAILABLE, err.message)),
    );
  }

  close(): void {
    this.transport.close();
    this.pool.close();
  }
}

/** The transport to one xDS server from its bootstrap entry, credentials included (for ADS and LRS). */
export const createServerTransport: XdsTransportFactory = (server, onConnected, context) => {
  const { address, channelCredentials: creds } = server;
  const tls = address.kind === 'tcp' ? tlsOptions(server, context?.certificateProviders) : undefined;
  const instance = creds.type === 'tls' ? creds.certificateProviderInstance : undefined;
  const provider = instance !== undefined ? context?.certificateProviders?.get(instance) : undefined;
  // Keepalive pings (gRFC A8) find a control plane that vanished without closing the connection;
  // 5 min / 20 s as grpc-go's xDS client uses.
  const pool = new ConnectionReportingPool(
    {
      keepalive: { timeMs: 5 * 60_000, timeoutMs: 20_000 },
      ...(tls && { tls }),
      ...(context?.lookup && { lookup: context.lookup }),
    },
    onConnected,
  );
  const transport = new GrpcTransport({
    address: address.address,
    pool,
    // Plaintext over a socket, as Istio's agent serves it; @shoal/rpc dials `unix:/path` addresses.
    ...(address.kind === 'unix' && { authority: 'localhost' }),
    ...(tls && { tls }),
  });
  return new PooledTransport(
    transport,
    pool,
    provider && (() => (provider.current() === undefined ? provider.ready(30_000) : undefined)),
  );
};

/** TLS options made for each new connection (files read then; the provider's current certificate). */
function tlsOptions(
  server: XdsServerConfig,
  providers: CertificateProviders | undefined,
): (() => ClientTlsOptions) | undefined {
  const { address, channelCredentials: creds } = server;
  if (creds.type === 'insecure' || address.kind !== 'tcp') return undefined;
  const fail = (message: string): never => {
    throw new RpcError(
      Code.FAILED_PRECONDITION,
      `xDS server ${server.serverUri}: channel_creds tls: ${message}`,
    );
  };
  const read = (file: string | undefined, what: string) => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file);
    } catch (e) {
      return fail(`cannot read ${what} ${file}: ${(e as Error).message}`);
    }
  };
  const instance = creds.certificateProviderInstance;
  if (instance !== undefined && !providers)
    fail("certificate_provider_instance needs the bootstrap's providers");
  // The files are checked now, so a wrong path fails at once, and read again per connection.
  for (const [file, what] of [
    [creds.caCertificateFile, 'ca_certificate_file'],
    [creds.certificateFile, 'certificate_file'],
    [creds.privateKeyFile, 'private_key_file'],
  ] as const)
    read(file, what);
  return () => {
    const ca = read(creds.caCertificateFile, 'ca_certificate_file');
    let cert = read(creds.certificateFile, 'certificate_file');
    let key = read(creds.privateKeyFile, 'private_key_file');
    let roots: string | Buffer | undefined = ca;
    if (instance !== undefined) {
      const material = providers!.get(instance).current();
      if (!material?.certChain)
        fail(`certificate provider ${JSON.stringify(instance)} has no certificate yet`);
      cert = Buffer.from(material!.certChain!);
      key = Buffer.from(material!.privateKey!);
      roots ??= material!.roots;
    }
    return {
      // SNI carries host names only (RFC 6066); an IP address is checked against the IP SANs.
      ...(isIP(address.host) === 0 && { servername: address.host }),
      ...(roots && { ca: roots }),
      ...(cert && { cert }),
      ...(key && { key }),
    };
  };
}
