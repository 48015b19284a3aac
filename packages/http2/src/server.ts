// An HTTP/2 server: it takes sockets (from its own listener, or from a caller that told HTTP/2
// apart from HTTP/1.1 by the first bytes or by ALPN) and runs a ServerConnection on each, with
// one watchdog for all of them. close() drains every connection (graceful GOAWAY), then
// destroys what is left after a grace period.

import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import type { IncomingHeaders } from './header-collector.js';
import { type ConnectionLimits, connectionLimits, type LocalSettings, localSettings } from './limits.js';
import { ServerConnection } from './server-connection.js';
import type { Settings } from './settings.js';
import type { Http2Stream } from './stream.js';
import { Watchdog, watchdogPeriod } from './watchdog.js';

export interface Http2ServerOptions {
  /** Called for every new stream (request), with its headers. */
  onStream(stream: Http2Stream, headers: IncomingHeaders, connection: ServerConnection): void;
  /**
   * A request whose header list is over settings.maxHeaderListSize; `headers` holds the fields
   * that fit. Default: a 431 response.
   */
  onHeadersTooLarge?(stream: Http2Stream, headers: IncomingHeaders, size: number): void;
  /** The SETTINGS the server announces. */
  settings?: Partial<LocalSettings>;
  limits?: Partial<ConnectionLimits>;
  /** TLS for listen() (ALPN h2); accept() takes TLS sockets whoever made them. */
  tls?: tls.TlsOptions;
}

/** Events: `connection` (ServerConnection), once per accepted socket. */
export class Http2Server extends EventEmitter {
  /** Connections open now. */
  readonly connections = new Set<ServerConnection>();
  private readonly settings: Readonly<Settings>;
  private readonly limits: ConnectionLimits;
  private readonly watchdog: Watchdog;
  private readonly hooks: ConstructorParameters<typeof ServerConnection>[1];
  private listener: net.Server | undefined;
  /** One 'close' listener for every connection (`this` is the connection). */
  private readonly forget: (this: ServerConnection) => void;

  constructor(private readonly options: Http2ServerOptions) {
    super();
    this.settings = localSettings(options.settings);
    this.limits = connectionLimits(options.limits, this.settings);
    const l = this.limits;
    this.watchdog = new Watchdog(
      watchdogPeriod([
        l.handshakeTimeoutMs,
        l.settingsAckTimeoutMs,
        l.frameTimeoutMs,
        l.sendStallTimeoutMs,
        l.idleTimeoutMs,
      ]),
    );
    const connections = this.connections;
    this.forget = function (this: ServerConnection) {
      connections.delete(this);
    };
    this.hooks = {
      onStream: options.onStream,
      onHeadersTooLarge: options.onHeadersTooLarge ?? refuseHeaders,
    };
  }

  /**
   * Serves HTTP/2 on a connected socket: h2c (its first bytes are the client preface) or TLS
   * that negotiated h2. `head`: bytes already read from it, handed in first.
   */
  accept(socket: net.Socket, head?: Buffer): ServerConnection {
    const connection = new ServerConnection(
      { socket, settings: this.settings, limits: this.limits, watchdog: this.watchdog },
      this.hooks,
    );
    this.connections.add(connection);
    connection.on('close', this.forget);
    this.emit('connection', connection);
    // After the 'connection' listeners: they hear of whatever the first bytes do.
    if (head !== undefined) connection.receive(head);
    return connection;
  }

  /** Listens on host:port (port 0 picks one): h2c, or TLS with ALPN h2 when `tls` was given. */
  listen(port = 0, host = '127.0.0.1'): Promise<net.AddressInfo> {
    const tlsOptions = this.options.tls;
    const listener = tlsOptions
      ? tls.createServer({ ...tlsOptions, ALPNProtocols: ['h2'] }, (socket) => {
          socket.on('error', ignore);
          if (socket.alpnProtocol === 'h2') this.accept(socket);
          else socket.destroy();
        })
      : net.createServer((socket) => {
          socket.on('error', ignore);
          this.accept(socket);
        });
    this.listener = listener;
    return new Promise((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(port, host, () => {
        listener.off('error', reject);
        resolve(listener.address() as net.AddressInfo);
      });
    });
  }

  /**
   * Stops listening, closes every connection gracefully, and destroys those still open after
   * `graceMs`.
   */
  async close(graceMs = 5000): Promise<void> {
    const listener = this.listener;
    const stopped = listener?.listening ? new Promise<void>((r) => listener.close(() => r())) : undefined;
    const closed = [...this.connections].map((c) => new Promise<void>((r) => c.once('close', () => r())));
    for (const connection of this.connections) connection.close();
    const timer = setTimeout(() => {
      for (const connection of this.connections) connection.destroy();
    }, graceMs);
    timer.unref();
    await Promise.all(closed);
    clearTimeout(timer);
    await stopped;
  }
}

function ignore(): void {}

/** RFC 9113 §10.5.1: a header section too large to process may be answered 431. */
function refuseHeaders(stream: Http2Stream): void {
  stream.sendHeaders({ ':status': 431 }, true);
  stream.close();
}
