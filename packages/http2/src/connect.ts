// Opening a client connection: h2c with prior knowledge over node:net (RFC 9113 §3.3), or TLS
// with ALPN "h2" over node:tls (§3.2); a TLS server that does not choose h2 is refused.

import net from 'node:net';
import tls from 'node:tls';
import { ClientConnection } from './client-connection.js';
import { type ConnectionLimits, connectionLimits, type LocalSettings, localSettings } from './limits.js';
import { Watchdog, watchdogPeriod } from './watchdog.js';

export interface ConnectOptions {
  /** Host to dial (with port), or a Unix socket path. */
  host?: string;
  port?: number;
  path?: string;
  /** TLS (ALPN h2 is added); without it the connection is h2c with prior knowledge. */
  tls?: tls.ConnectionOptions;
  /** Use this socket (already connecting or connected) instead of dialling. */
  socket?: net.Socket;
  /** The SETTINGS we announce. */
  settings?: Partial<LocalSettings>;
  limits?: Partial<ConnectionLimits>;
  /**
   * Highest stream id this connection uses (default 2^31 - 1); past it the connection drains and
   * a new one is needed. Lower values let tests reach the end of the ids.
   */
  maxStreamId?: number;
  /** Shares one timer among many connections (a pool's); by default each connection has its own. */
  watchdog?: Watchdog;
  /**
   * Resolves `host` (default node:dns lookup). Every address it gives is tried in turn until one
   * connects (node:net's autoSelectFamily, on by default since Node.js 20).
   */
  lookup?: net.LookupFunction;
}

/** Opens an HTTP/2 connection; requests may be made at once, they go out when it is up. */
export function connect(options: ConnectOptions): ClientConnection {
  const settings = localSettings(options.settings);
  const limits = connectionLimits(options.limits, settings);
  const socket = options.socket ?? dial(options);
  const isTls = socket instanceof tls.TLSSocket;
  const connected = isTls
    ? !socket.connecting && socket.alpnProtocol !== undefined && socket.alpnProtocol !== false
    : !socket.connecting;
  const watchdog =
    options.watchdog ??
    new Watchdog(
      watchdogPeriod([
        limits.handshakeTimeoutMs,
        limits.settingsAckTimeoutMs,
        limits.frameTimeoutMs,
        limits.idleTimeoutMs,
      ]),
    );
  const connection = new ClientConnection(
    { socket, settings, limits, watchdog },
    options.maxStreamId,
    connected,
  );
  if (!connected) {
    if (isTls) {
      socket.once('secureConnect', () => {
        if (socket.alpnProtocol !== 'h2') {
          connection.destroy(
            new Error(
              `${describe(options)}: the TLS server did not choose HTTP/2 (ALPN "${socket.alpnProtocol || 'none'}")`,
            ),
          );
          return;
        }
        connection.markUp();
      });
    } else socket.once('connect', () => connection.markUp());
  }
  return connection;
}

function dial(options: ConnectOptions): net.Socket {
  if (options.tls) {
    return tls.connect({
      ...options.tls,
      ...(options.path !== undefined ? { path: options.path } : { host: options.host, port: options.port }),
      ...(options.lookup && { lookup: options.lookup }),
      servername:
        options.tls.servername ?? (options.host && !net.isIP(options.host) ? options.host : undefined),
      ALPNProtocols: ['h2'],
    });
  }
  if (options.path !== undefined) return net.connect({ path: options.path });
  if (options.port === undefined) throw new TypeError('connect: a port (or a path, or a socket) is needed');
  return net.connect({
    host: options.host ?? 'localhost',
    port: options.port,
    ...(options.lookup && { lookup: options.lookup }),
  });
}

function describe(options: ConnectOptions): string {
  return options.path ?? `${options.host ?? 'localhost'}:${options.port}`;
}
