// Which connections a server takes, decided per connection from a policy that may change at any
// time (a rotated certificate, a new PeerAuthentication mode): plaintext, TLS (optionally asking
// for or requiring a client certificate), or both on one port, told apart by the first bytes
// (Istio's PERMISSIVE). A plaintext connection the policy refuses is still answered over HTTP, with
// a status that says why, instead of a reset the caller cannot read. The TLS handshake is made on
// the sniffed socket by node:tls, independent of the HTTP/2 implementation above it.

import type net from 'node:net';
import tls from 'node:tls';

export interface TlsPolicy {
  /** PEM: our certificate (then its intermediates) and its key. */
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** PEM roots client certificates are verified against. */
  readonly ca?: string | Buffer;
  /** Ask for a client certificate. */
  readonly requestCert?: boolean;
  /**
   * Mutual TLS: a connection without a client certificate `ca` verifies makes no calls; each is
   * answered UNAVAILABLE with the reason (TLS 1.3 ends the handshake before the server has
   * checked, so an alert would reach the client only as a reset).
   */
  readonly requireCert?: boolean;
}

export interface ConnectionPolicy {
  /** Accept plaintext connections. */
  readonly plaintext: boolean;
  /** Accept TLS connections with this context; undefined refuses TLS. */
  readonly tls?: TlsPolicy;
  /** Why plaintext is refused, told to its calls (UNAVAILABLE) when `plaintext` is false. */
  readonly plaintextRefusal?: string;
}

/** Read once per accepted connection: the policy that connection gets. */
export type TransportSecurity = () => ConnectionPolicy;

export const PLAINTEXT: ConnectionPolicy = Object.freeze({ plaintext: true });

const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * Server-side TLS for sniffed sockets, through a node:tls server per policy (made once per policy
 * object, never listening), so verification, `authorized` and the handshake timeout are node's own.
 */
export class TlsAcceptor {
  readonly #servers = new WeakMap<TlsPolicy, tls.Server>();

  /** `refusal` says why the connection may not make calls (a missing or untrusted client certificate). */
  constructor(private readonly onSecure: (socket: tls.TLSSocket, refusal: string | undefined) => void) {}

  /** Starts the handshake on a socket whose first bytes are buffered; onSecure gets it when done. */
  accept(socket: net.Socket, policy: TlsPolicy): void {
    let server = this.#servers.get(policy);
    if (!server) {
      server = tls.createServer(
        {
          cert: policy.cert,
          key: policy.key,
          ...(policy.ca !== undefined && { ca: policy.ca }),
          requestCert: policy.requestCert ?? policy.requireCert ?? false,
          // Checked after the handshake instead (see onSecure), so the caller is told why.
          rejectUnauthorized: false,
          ALPNProtocols: ['h2', 'http/1.1'],
          handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
        },
        (secure) => {
          secure.on('error', () => {});
          const refusal =
            policy.requireCert && !secure.authorized
              ? `the client certificate was not accepted (${secure.authorizationError ?? 'none sent'}): mutual TLS with a certificate from this mesh's CA is required`
              : undefined;
          this.onSecure(secure, refusal);
        },
      );
      // A failed handshake (no or an untrusted client certificate, a timeout) ends that connection.
      server.on('tlsClientError', () => {});
      this.#servers.set(policy, server);
    }
    server.emit('connection', socket);
  }
}

/** A connection's policy, for `Server`: a fixed TLS config becomes a policy that never changes. */
export function fixedTlsPolicy(options: {
  key: string | Buffer;
  cert: string | Buffer;
  ca?: string | Buffer;
  requestCert?: boolean;
}): ConnectionPolicy {
  return { plaintext: false, tls: { ...options, requireCert: options.requestCert ?? false } };
}

/** True for sockets made by acceptTls (or any TLS socket). */
export function isTlsSocket(socket: net.Socket | undefined): socket is tls.TLSSocket {
  return (socket as tls.TLSSocket | undefined)?.encrypted === true;
}
