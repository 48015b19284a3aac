// HTTP/2 client connections, reused across calls and shared by every client of a pool.
// Per address, calls go to a connection with free stream capacity; a new connection opens when
// all are full (SETTINGS_MAX_CONCURRENT_STREAMS). Connections that get GOAWAY or fail leave the
// pool at once; idle ones close after idleTimeoutMs. Keepalive pings follow gRFC A8: see
// connection-keepalive.ts; a GOAWAY ENHANCE_YOUR_CALM "too_many_pings" doubles the keepalive time
// of the pool's later connections to that address (A8; per address as grpc-go's addrConn and
// grpc-js's subchannel, so one strict server does not slow the pings to others). A connection
// whose stream ids run out drains like one told GOAWAY, and the next call opens a new one.

import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { PeerCertificate, SecureContext, SecureContextOptions } from 'node:tls';
import { ErrorCode, Watchdog } from '@shoal/http2';
import { type CallConnection, chooseTransport, type Http2Transport } from '../wire.js';
import { ConnectionKeepalive } from './connection-keepalive.js';
import { dial } from './dial.js';

/** TLS for a client: node's secure context options and the name to verify. */
export interface ClientTlsOptions extends SecureContextOptions {
  /** Name to verify the server certificate against, when it differs from the host dialled. */
  servername?: string;
  rejectUnauthorized?: boolean;
  /** A ready context (certificate, key, roots), instead of the PEM options. */
  secureContext?: SecureContext;
  /** Replaces the host name check (a mesh checks SPIFFE SANs instead); an Error refuses the server. */
  checkServerIdentity?: (host: string, cert: PeerCertificate) => Error | undefined;
}

/** A session pool's TLS, keepalive and limits. */
export interface SessionPoolOptions {
  /**
   * TLS for every connection; a function is asked for each new connection, so rotated
   * certificates are used from the next connection on while open ones keep theirs.
   */
  tls?: ClientTlsOptions | (() => ClientTlsOptions);
  /**
   * Keepalive (gRFC A8). A connection that has received nothing for timeMs is pinged, and closed
   * (its calls fail UNAVAILABLE) when nothing arrives within timeoutMs (default 20 s). Only while
   * calls are in flight, unless permitWithoutCalls. timeMs <= 0 or Infinity turns keepalive off;
   * A8 advises against less than 10 s (servers enforce 5 min by default), but does not forbid it.
   * A server's GOAWAY "too_many_pings" doubles timeMs for later connections to that address and
   * is told to onTooManyPings (default: a console warning).
   */
  keepalive?: {
    timeMs: number;
    timeoutMs?: number;
    permitWithoutCalls?: boolean;
    onTooManyPings?: (address: string, newTimeMs: number) => void;
  };
  /** Close a connection that has carried no call for this long. Default 5 min. */
  idleTimeoutMs?: number;
  /** Upper bound of connections per address. Default 8. */
  maxConnectionsPerAddress?: number;
  /**
   * The HTTP/2 implementation: `shoal` (@shoal/http2, the default) or `node-http2` (an opt-in).
   * Default: the SHOAL_RPC_TRANSPORT environment variable, else `shoal`.
   */
  transport?: Http2Transport;
  /**
   * Resolves host names (default node:dns lookup). Every address a name resolves to is tried in
   * turn until one connects, on each new connection: one DNS name can stand for several servers.
   */
  lookup?: LookupFunction;
}

interface PooledSession {
  session: CallConnection;
  /** True once the server's SETTINGS arrived; until then remoteSettings holds defaults, not limits. */
  settingsKnown?: boolean;
  active: number;
  /** When `active` last dropped to 0 (performance.now()). */
  idleSince: number;
  /** Armed once idle and left to fire: it closes the connection only if still idle long enough. */
  idleTimer?: NodeJS.Timeout | undefined;
  keepalive?: ConnectionKeepalive;
}

/** setTimeout's longest delay: a doubled keepalive time stops growing there. */
const maxKeepaliveTimeMs = 2 ** 31 - 1;
const tooManyPings = Buffer.from('too_many_pings', 'ascii');

/**
 * HTTP/2 sessions per address, shared by transports: reconnects, keepalive (backing off after
 * too_many_pings), and more sessions when one reaches its stream limit.
 */
export class SessionPool {
  private readonly byAddress = new Map<string, PooledSession[]>();
  /** The last SETTINGS_MAX_CONCURRENT_STREAMS each address announced. */
  private readonly knownLimits = new Map<string, number>();
  /** Keepalive times doubled for an address after its GOAWAY too_many_pings. */
  private readonly keepaliveTimes = new Map<string, number>();
  private closed = false;
  private readonly transport: Http2Transport;
  /** One timer for the HTTP/2 deadlines of every connection of the pool. */
  private readonly watchdog = new Watchdog(1000);

  constructor(private readonly options: SessionPoolOptions = {}) {
    this.transport = chooseTransport(options.transport);
    const ka = options.keepalive;
    if (!ka) return;
    if (Number.isNaN(ka.timeMs)) throw new RangeError('keepalive.timeMs: must be a number, got NaN');
    const timeout = ka.timeoutMs;
    if (timeout !== undefined && !(timeout > 0 && timeout <= maxKeepaliveTimeMs)) {
      throw new RangeError(
        `keepalive.timeoutMs: must be > 0 and <= ${maxKeepaliveTimeMs}, got ${String(timeout)}`,
      );
    }
  }

  /** A connection to `address` (`host:port`, `[v6]:port`) with room for one more stream; counts it as taken. */
  acquire(address: string): { session: CallConnection; release: () => void } {
    if (this.closed) throw new Error('session pool is closed');
    let list = this.byAddress.get(address);
    if (!list) this.byAddress.set(address, (list = []));
    let entry = list.find((e) => e.active < this.capacity(address, e) && e.session.canRequest);
    if (!entry) {
      const max = this.options.maxConnectionsPerAddress ?? 8;
      entry =
        list.length < max ? this.open(address, list) : list.reduce((a, b) => (a.active <= b.active ? a : b));
    }
    const taken = entry;
    // A connection with calls in flight keeps the process alive; an idle one does not.
    if (taken.active++ === 0) {
      taken.session.ref();
      taken.keepalive?.wake();
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
          taken.idleSince = performance.now();
          if (taken.idleTimer === undefined) this.armIdle(address, taken, this.idleTimeoutMs);
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
    if (entry.settingsKnown) return entry.session.remoteSettings.maxConcurrentStreams;
    return this.knownLimits.get(address) ?? 100;
  }

  /** Closes every connection: GOAWAY, then streams in flight finish. */
  close(): void {
    this.closed = true;
    for (const list of this.byAddress.values()) for (const entry of list) this.retire(entry, true);
    this.byAddress.clear();
  }

  private open(address: string, list: PooledSession[]): PooledSession {
    const tls = typeof this.options.tls === 'function' ? this.options.tls() : this.options.tls;
    const session = dial(address, this.transport, tls, this.watchdog, this.options.lookup);
    const entry: PooledSession = { session, active: 0, idleSince: 0 };
    list.push(entry);
    const remove = () => {
      const i = list.indexOf(entry);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0 && this.byAddress.get(address) === list) this.byAddress.delete(address);
      this.retire(entry, false);
    };
    // GOAWAY, stream ids used up, or closing: no new calls here; those in flight finish.
    session.on('draining', remove);
    session.on('goaway', (code: number, _lastStreamId: number, data: Buffer) => {
      if (code === ErrorCode.ENHANCE_YOUR_CALM && data.equals(tooManyPings))
        this.slowKeepalive(address, entry);
    });
    session.on('remoteSettings', (settings: { maxConcurrentStreams: number }) => {
      entry.keepalive?.received();
      entry.settingsKnown = true;
      if (Number.isFinite(settings.maxConcurrentStreams))
        this.knownLimits.set(address, settings.maxConcurrentStreams);
    });
    session.on('close', remove);
    session.unref(); // idle connections do not keep the process alive
    entry.keepalive = this.startKeepalive(address, entry);
    return entry;
  }

  private get idleTimeoutMs(): number {
    return this.options.idleTimeoutMs ?? 300_000;
  }

  /**
   * Closes `entry` once it has been idle for idleTimeoutMs. The timer is not cleared when a call
   * takes the connection again; when it fires it looks: busy, nothing happens (the next release
   * arms it again); idle for less than the timeout, it waits out the rest. A timer set and
   * cleared on every call that left a connection idle made a Timeout per call, linked to the
   * previous one in node's timer list, which kept calls alive in the young generation (measured:
   * a 15x larger survival per scavenge and 4-5 extra mark-compacts per run in the mesh bench).
   */
  private armIdle(address: string, entry: PooledSession, delayMs: number): void {
    entry.idleTimer = setTimeout(() => {
      entry.idleTimer = undefined;
      if (entry.active > 0) return;
      const left = entry.idleSince + this.idleTimeoutMs - performance.now();
      if (left > 0) {
        this.armIdle(address, entry, left);
        return;
      }
      const list = this.byAddress.get(address);
      if (list) {
        const i = list.indexOf(entry);
        if (i >= 0) list.splice(i, 1);
      }
      this.retire(entry, true);
    }, delayMs);
    entry.idleTimer.unref();
  }

  private startKeepalive(address: string, entry: PooledSession): ConnectionKeepalive | undefined {
    const ka = this.options.keepalive;
    if (!ka) return undefined;
    const timeMs = this.keepaliveTimes.get(address) ?? ka.timeMs;
    if (!(timeMs > 0 && timeMs !== Number.POSITIVE_INFINITY)) return undefined; // off
    return new ConnectionKeepalive(
      entry.session,
      Math.min(timeMs, maxKeepaliveTimeMs),
      ka.timeoutMs ?? 20_000,
      ka.permitWithoutCalls ?? false,
      () => entry.active > 0,
    );
  }

  /**
   * A8: the server found our pings too frequent. Double the time for new connections to it, once
   * per rate: sibling connections opened at the same rate get the same GOAWAY and change nothing.
   */
  private slowKeepalive(address: string, entry: PooledSession): void {
    const ka = this.options.keepalive;
    const used = entry.keepalive?.timeMs;
    const current = this.keepaliveTimes.get(address) ?? Math.min(ka?.timeMs ?? 0, maxKeepaliveTimeMs);
    if (!ka || used === undefined || used !== current) return;
    const next = Math.min(used * 2, maxKeepaliveTimeMs);
    if (next === used) return;
    this.keepaliveTimes.set(address, next);
    const tell =
      ka.onTooManyPings ??
      ((addr: string, ms: number) =>
        console.warn(
          `shoal rpc client: ${addr} sent GOAWAY too_many_pings; keepalive time for new connections is now ${ms} ms`,
        ));
    tell(address, next);
  }

  private retire(entry: PooledSession, graceful: boolean): void {
    clearTimeout(entry.idleTimer);
    entry.keepalive?.stop();
    if (graceful && !entry.session.closing) entry.session.close();
  }
}
