// The @shoal/rpc transport to one xDS server, from its bootstrap entry (gRFC A27 channel_creds;
// gRFC A65 `tls` credentials: CA, optional client certificate for mTLS). It says when a connection
// is up, because gRFC A57 starts does-not-exist timers only once a request can reach the server.
import { readFileSync } from 'node:fs';
import { type ClientTlsOptions, Code, GrpcTransport, RpcError, type Transport } from '@shoal/rpc/client';
import { SessionPool, type SessionPoolOptions } from '@shoal/rpc/plugins';
import type { XdsServerConfig } from '../bootstrap.js';

/**
 * Builds the transport for a server; replaceable in XdsClientOptions (e.g. custom TLS). The
 * transport calls `onConnected` whenever a call has a connection to the server (a transport that
 * cannot tell calls it as each call starts): requested resources start their does-not-exist timers
 * only then, so a connection that hangs is never mistaken for missing resources (gRFC A57).
 */
export type XdsTransportFactory = (server: XdsServerConfig, onConnected: () => void) => Transport;

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

/** A transport over its own pool, closing both together. */
class PooledTransport implements Transport {
  constructor(
    private readonly transport: GrpcTransport,
    private readonly pool: SessionPool,
  ) {}

  call(...args: Parameters<Transport['call']>): ReturnType<Transport['call']> {
    return this.transport.call(...args);
  }

  close(): void {
    this.transport.close();
    this.pool.close();
  }
}

/** The transport to one xDS server from its bootstrap entry, credentials included (for ADS and LRS). */
export const createServerTransport: XdsTransportFactory = (server, onConnected) => {
  const { address } = server;
  const tls = address.kind === 'tcp' ? tlsOptions(server) : undefined;
  // Keepalive pings (gRFC A8) find a control plane that vanished without closing the connection;
  // 5 min / 20 s as grpc-go's xDS client uses.
  const pool = new ConnectionReportingPool(
    { keepalive: { timeMs: 5 * 60_000, timeoutMs: 20_000 }, ...(tls && { tls }) },
    onConnected,
  );
  const transport = new GrpcTransport({
    address: address.address,
    pool,
    // Plaintext over a socket, as Istio's agent serves it; @shoal/rpc dials `unix:/path` addresses.
    ...(address.kind === 'unix' && { authority: 'localhost' }),
    ...(tls && { tls }),
  });
  return new PooledTransport(transport, pool);
};

function tlsOptions(server: XdsServerConfig): ClientTlsOptions | undefined {
  const { address, channelCredentials: creds } = server;
  if (creds.type === 'insecure' || address.kind !== 'tcp') return undefined;
  const read = (file: string | undefined, what: string) => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file);
    } catch (e) {
      throw new RpcError(
        Code.FAILED_PRECONDITION,
        `xDS server ${server.serverUri}: channel_creds tls: cannot read ${what} ${file}: ${(e as Error).message}`,
      );
    }
  };
  const ca = read(creds.caCertificateFile, 'ca_certificate_file');
  const cert = read(creds.certificateFile, 'certificate_file');
  const key = read(creds.privateKeyFile, 'private_key_file');
  return { servername: address.host, ...(ca && { ca }), ...(cert && { cert }), ...(key && { key }) };
}
