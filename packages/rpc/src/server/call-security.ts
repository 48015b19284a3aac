// What a call knows of its connection's TLS: whether it is encrypted, and the client certificate
// the handshake verified, read from the socket once per connection (not per call).

import type { X509Certificate } from 'node:crypto';
import type net from 'node:net';
import type tls from 'node:tls';
import type { CallSecurity } from '../handler-context.js';

const cache = new WeakMap<object, CallSecurity | null>();

/** Undefined for plaintext; the peer certificate only when the handshake verified it. */
export function callSecurity(socket: net.Socket | undefined): CallSecurity | undefined {
  if (!socket) return undefined;
  const known = cache.get(socket);
  if (known !== undefined) return known ?? undefined;
  let security: CallSecurity | null = null;
  try {
    const s = socket as tls.TLSSocket;
    if (s.encrypted) {
      const authorized = s.authorized === true;
      let peerCertificate: X509Certificate | undefined;
      if (authorized) peerCertificate = s.getPeerX509Certificate() ?? undefined;
      security = {
        protocol: s.getProtocol?.() ?? 'TLS',
        alpn: typeof s.alpnProtocol === 'string' ? s.alpnProtocol : '',
        authorized,
        ...(peerCertificate && { peerCertificate }),
        serverName: typeof s.servername === 'string' ? s.servername : '',
      };
    }
  } catch {
    return undefined; // the connection is gone (node:http2's socket proxy throws then)
  }
  cache.set(socket, security);
  return security ?? undefined;
}
