// Server-side keepalive (gRFC A8). Two duties per HTTP/2 connection:
// - ping the client every timeMs, and close a connection that does not answer within timeoutMs,
//   so dead peers do not hold streams forever;
// - enforce the client's ping policy (A8 "Server Enforcement", grpc-go's EnforcementPolicy):
//   a PING sooner than minPingIntervalMs after the last valid one (2 h when the connection has no
//   stream and permitWithoutCalls is false) is a strike; the third strike gets GOAWAY
//   ENHANCE_YOUR_CALM with debug data "too_many_pings" and the connection is closed at once,
//   failing calls in flight so that the client's author notices the misconfiguration.

import { performance } from 'node:perf_hooks';
import { ErrorCode } from '@shoal/http2';
import type { KeepaliveConnection } from '../wire.js';

export interface SessionKeepaliveOptions {
  /** Interval of the server's own pings; not finite or <= 0 turns them off. */
  timeMs: number;
  /** How long a ping may go unanswered before the connection is closed. */
  timeoutMs: number;
  /** A8 PERMIT_KEEPALIVE_TIME: the shortest interval allowed between client PINGs. */
  minPingIntervalMs: number;
  /** A8 PERMIT_KEEPALIVE_WITHOUT_CALLS: whether clients may ping a connection with no stream. */
  permitWithoutCalls: boolean;
  /** Told the peer (`ip:port`) of each connection closed for pinging too often. */
  onTooManyPings?: ((peer: string) => void) | undefined;
}

/** A8: MAX_PING_STRIKES; the strike after these closes the connection. */
const maxPingStrikes = 2;
/** A8: with no calls (and none permitted), pings as rare as TCP keepalive's default (RFC 1122). */
const idlePingIntervalMs = 2 * 3600_000;

/** What keepalive knows of one connection. */
interface Watch {
  /** A8's ping strikes, and when the last valid ping came. */
  strikes: number;
  lastValidPingAt: number;
  /** The connection's count of HEADERS and DATA sent when last looked at. */
  framesSeen: number;
  /** When our next ping is due, and when the unanswered one went out. */
  nextPingAt: number;
  pingSentAt: number | undefined;
}

/**
 * One timer and one pair of listeners for every connection of a server: a server holds many
 * connections, most of them idle, and a timer and closures each would be much of what one costs.
 * The listeners are called with the connection as `this`.
 */
export class SessionKeepalive {
  private readonly watched = new Map<KeepaliveConnection, Watch>();
  private timer: NodeJS.Timeout | undefined;
  private readonly tickMs: number;
  private readonly pinging: boolean;
  private readonly onPing: (this: KeepaliveConnection) => void;
  private readonly onClose: (this: KeepaliveConnection) => void;

  constructor(private readonly options: SessionKeepaliveOptions) {
    const { minPingIntervalMs, timeMs, timeoutMs } = options;
    if (!(minPingIntervalMs >= 0) || minPingIntervalMs === Number.POSITIVE_INFINITY) {
      throw new RangeError(
        `keepalive.minPingIntervalMs: must be a finite number >= 0, got ${String(minPingIntervalMs)}`,
      );
    }
    this.pinging = Number.isFinite(timeMs) && timeMs > 0;
    // Pings go out at most a tick late; an unanswered one is seen within a tick of its timeout.
    this.tickMs = Math.max(5, Math.min(timeMs, timeoutMs, 240_000) / 4);
    const keepalive = this;
    this.onPing = function (this: KeepaliveConnection) {
      keepalive.pinged(this);
    };
    this.onClose = function (this: KeepaliveConnection) {
      keepalive.watched.delete(this);
    };
  }

  watch(connection: KeepaliveConnection): void {
    this.watched.set(connection, {
      strikes: 0,
      lastValidPingAt: Number.NEGATIVE_INFINITY, // A8's "epoch": the first ping is always valid
      framesSeen: connection.framesSent,
      nextPingAt: performance.now() + this.options.timeMs,
      pingSentAt: undefined,
    });
    connection.on('ping', this.onPing);
    connection.on('close', this.onClose); // 'close' comes once; once() would wrap the listener
    if (this.pinging && !this.timer) {
      this.timer = setInterval(this.tick, this.tickMs);
      this.timer.unref();
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.watched.clear();
  }

  /** Pings each connection every timeMs; closes one whose ping goes unanswered for timeoutMs. */
  private readonly tick = (): void => {
    const now = performance.now();
    const { timeMs, timeoutMs } = this.options;
    for (const [connection, watch] of this.watched) {
      if (connection.destroyed) {
        this.watched.delete(connection);
        continue;
      }
      if (watch.pingSentAt !== undefined) {
        if (now - watch.pingSentAt > timeoutMs) connection.destroy();
        continue;
      }
      if (now < watch.nextPingAt) continue;
      watch.nextPingAt = now + timeMs;
      const sent = connection.ping((err) => {
        watch.pingSentAt = undefined;
        if (err && !connection.destroyed) connection.destroy();
      });
      if (sent) watch.pingSentAt = now;
    }
    if (this.watched.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  };

  /**
   * A8's suggested algorithm, for a PING from the client. Strikes reset when the server has sent
   * HEADERS or DATA since the last ping (the connection counts the frames it sends).
   */
  private pinged(connection: KeepaliveConnection): void {
    const watch = this.watched.get(connection);
    if (!watch) return;
    const { minPingIntervalMs, permitWithoutCalls } = this.options;
    if (connection.framesSent !== watch.framesSeen) {
      watch.framesSeen = connection.framesSent;
      watch.strikes = 0;
      watch.lastValidPingAt = Number.NEGATIVE_INFINITY;
    }
    const now = performance.now(); // monotonic, as A8 asks
    const idle = connection.streamCount === 0 && !permitWithoutCalls;
    const allowed = idle ? idlePingIntervalMs : minPingIntervalMs;
    if (now - watch.lastValidPingAt >= allowed) {
      watch.lastValidPingAt = now;
      return;
    }
    if (++watch.strikes <= maxPingStrikes || connection.destroyed) return;
    const socket = connection.socket;
    const peer = `${socket?.remoteAddress}:${socket?.remotePort}`;
    connection.goaway(ErrorCode.ENHANCE_YOUR_CALM, 'too_many_pings');
    this.options.onTooManyPings?.(peer);
  }
}
