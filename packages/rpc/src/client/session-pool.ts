// HTTP/2 client connections, reused across calls and shared by every client of a pool.
// Per address, calls go to a connection with free stream capacity; a new connection opens when
// all are full (SETTINGS_MAX_CONCURRENT_STREAMS). Connections that get GOAWAY or fail leave the
// pool at once; idle ones close after idleTimeoutMs. Keepalive pings follow gRFC A8.

import http2 from 'node:http2';
import net from 'node:net';
import type { SecureContextOptions } from 'node:tls';

export interface ClientTlsOptions extends SecureContextOptions {
  /** Name to verify the server certificate against, when it differs from the host dialled. */
  servername?: string;
  rejectUnauthorized?: boolean;
}

export interface SessionPoolOptions {
  tls?: ClientTlsOptions;
  /** Ping every timeMs (only while calls are active, unless permitWithoutCalls); close the connection when no answer in timeoutMs. */
  keepalive?: { timeMs: number; timeoutMs?: number; permitWithoutCalls?: boolean };
  /** Close a connection that has carried no call for this long. Default 5 min. */
  idleTimeoutMs?: number;
  /** Upper bound of connections per address. Default 8. */
  maxConnectionsPerAddress?: number;
}

interface PooledSession {
  session: http2.ClientHttp2Session;
  /** True once the server's SETTINGS arrived; until then remoteSettings holds defaults, not limits. */
  settingsKnown?: boolean;
  active: number;
  idleTimer?: NodeJS.Timeout;
  keepaliveTimer?: NodeJS.Timeout;
}

export class SessionPool {
  private readonly byAddress = new Map<string, PooledSession[]>();
  /** The last SETTINGS_MAX_CONCURRENT_STREAMS each address announced. */
  private readonly knownLimits = new Map<string, number>();
  private closed = false;

  constructor(private readonly options: SessionPoolOptions = {}) {}

  /** A connection to `address` (`host:port`, `[v6]:port`) with room for one more stream; counts it as taken. */
  acquire(address: string): { session: http2.ClientHttp2Session; release: () => void } {
    if (this.closed) throw new Error('session pool is closed');
    let list = this.byAddress.get(address);
    if (!list) this.byAddress.set(address, (list = []));
    let entry = list.find((e) => e.active < this.capacity(address, e));
    if (!entry) {
      const max = this.options.maxConnectionsPerAddress ?? 8;
      entry =
        list.length < max ? this.open(address, list) : list.reduce((a, b) => (a.active <= b.active ? a : b));
    }
    const taken = entry;
    // A connection with calls in flight keeps the process alive; an idle one does not.
    if (taken.active++ === 0) taken.session.ref();
    if (taken.idleTimer) {
      clearTimeout(taken.idleTimer);
      taken.idleTimer = undefined;
    }
    let released = false;
    return {
      session: taken.session,
      release: () => {
        if (released) return;
        released = true;
        taken.active--;
        if (taken.active === 0) {
          taken.session.unref();
          this.armIdle(address, taken);
        }
      },
    };
  }

  /**
   * Streams a connection may carry. Before its SETTINGS arrive, assume what the same server told
   * us on another connection (else HTTP/2's recommended minimum of 100), so a burst of calls does
   * not overfill a new connection and get REFUSED_STREAM.
   */
  private capacity(address: string, entry: PooledSession): number {
    if (entry.settingsKnown) return entry.session.remoteSettings.maxConcurrentStreams ?? 100;
    return this.knownLimits.get(address) ?? 100;
  }

  /** Closes every connection: GOAWAY, then streams in flight finish. */
  close(): void {
    this.closed = true;
    for (const list of this.byAddress.values()) for (const entry of list) this.retire(entry, true);
    this.byAddress.clear();
  }

  private open(address: string, list: PooledSession[]): PooledSession {
    const tls = this.options.tls;
    // `unix:/path` (gRPC naming) dials a Unix domain socket, plaintext, e.g. Istio's agent at unix:///etc/istio/XDS.
    const socketPath = address.startsWith('unix:') ? address.slice('unix:'.length) : undefined;
    const session = socketPath
      ? http2.connect('http://localhost', { createConnection: () => net.connect(socketPath) })
      : http2.connect(`${tls ? 'https' : 'http'}://${address}`, tls ? { ...tls, ALPNProtocols: ['h2'] } : {});
    const entry: PooledSession = { session, active: 0 };
    list.push(entry);
    const remove = () => {
      const i = list.indexOf(entry);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0 && this.byAddress.get(address) === list) this.byAddress.delete(address);
      this.retire(entry, false);
    };
    session.on('error', remove); // the streams on it fail by themselves and report the cause
    session.on('goaway', remove);
    session.on('remoteSettings', (settings) => {
      entry.settingsKnown = true;
      if (settings.maxConcurrentStreams !== undefined)
        this.knownLimits.set(address, settings.maxConcurrentStreams);
    });
    session.on('close', remove);
    session.unref(); // idle connections do not keep the process alive
    this.startKeepalive(entry);
    return entry;
  }

  private armIdle(address: string, entry: PooledSession): void {
    const idle = this.options.idleTimeoutMs ?? 300_000;
    entry.idleTimer = setTimeout(() => {
      const list = this.byAddress.get(address);
      if (list) {
        const i = list.indexOf(entry);
        if (i >= 0) list.splice(i, 1);
      }
      this.retire(entry, true);
    }, idle);
    entry.idleTimer.unref();
  }

  private startKeepalive(entry: PooledSession): void {
    const ka = this.options.keepalive;
    if (!ka || ka.timeMs <= 0) return;
    entry.keepaliveTimer = setInterval(() => {
      const { session } = entry;
      if (session.destroyed || (entry.active === 0 && !ka.permitWithoutCalls)) return;
      const deadline = setTimeout(
        () => session.destroy(new Error('keepalive ping timed out')),
        ka.timeoutMs ?? 20_000,
      );
      deadline.unref();
      session.ping((err) => {
        clearTimeout(deadline);
        if (err && !session.destroyed) session.destroy(err);
      });
    }, ka.timeMs);
    entry.keepaliveTimer.unref();
  }

  private retire(entry: PooledSession, graceful: boolean): void {
    clearTimeout(entry.idleTimer);
    clearInterval(entry.keepaliveTimer);
    if (graceful && !entry.session.closed) entry.session.close();
  }
}
