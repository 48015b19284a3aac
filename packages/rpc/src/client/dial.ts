// Opens a client connection to `host:port`, `[v6]:port` or `unix:/path` (gRPC's naming; a Unix
// socket is plaintext, as Istio's agent serves xDS on one): @shoal/http2 by default, node:http2
// with `transport: 'node-http2'`. Internal to the session pool.

import type { LookupFunction } from 'node:net';
import { connect, type Watchdog } from '@shoal/http2';
import { NodeClientConnection } from '../node-http2/node-client-connection.js';
import type { CallConnection, Http2Transport } from '../wire.js';
import type { ClientTlsOptions } from './session-pool.js';

export function dial(
  address: string,
  transport: Http2Transport,
  tls: ClientTlsOptions | undefined,
  watchdog: Watchdog,
  lookup?: LookupFunction,
): CallConnection {
  if (transport === 'node-http2')
    return new NodeClientConnection({ address, tls, ...(lookup && { lookup }) });
  if (address.startsWith('unix:')) return connect({ path: address.slice('unix:'.length), watchdog });
  const { host, port } = hostAndPort(address, tls ? 443 : 80);
  return connect({ host, port, watchdog, ...(tls && { tls: { ...tls } }), ...(lookup && { lookup }) });
}

/** `host:port` or `[v6]:port` split; a missing port is the scheme's default. */
export function hostAndPort(address: string, defaultPort: number): { host: string; port: number } {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(address);
  if (bracket) return { host: bracket[1]!, port: bracket[2] ? Number(bracket[2]) : defaultPort };
  const colon = address.lastIndexOf(':');
  if (colon < 0 || address.indexOf(':') !== colon) return { host: address, port: defaultPort };
  return { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
}
