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

export class SessionKeepalive {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: SessionKeepaliveOptions) {
    const { minPingIntervalMs } = options;
    if (!(minPingIntervalMs >= 0) || minPingIntervalMs === Number.POSITIVE_INFINITY) {
      throw new RangeError(
        `keepalive.minPingIntervalMs: must be a finite number >= 0, got ${String(minPingIntervalMs)}`,
      );
    }
  }

  watch(connection: KeepaliveConnection): void {
    this.enforcePingPolicy(connection);
    const { timeMs, timeoutMs } = this.options;
    if (!Number.isFinite(timeMs) || timeMs <= 0) return;
    const timer = setInterval(() => {
      if (connection.destroyed) return;
      const deadline = setTimeout(() => connection.destroy(), timeoutMs);
      deadline.unref();
      const sent = connection.ping((err) => {
        clearTimeout(deadline);
        if (err && !connection.destroyed) connection.destroy();
      });
      if (!sent) clearTimeout(deadline);
    }, timeMs);
    timer.unref();
    this.timers.add(timer);
    connection.once('close', () => {
      clearInterval(timer);
      this.timers.delete(timer);
    });
  }

  close(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers.clear();
  }

  /**
   * A8's suggested algorithm. Strikes reset when the server has sent HEADERS or DATA since the
   * last ping (the connection counts the frames it sends).
   */
  private enforcePingPolicy(connection: KeepaliveConnection): void {
    const { minPingIntervalMs, permitWithoutCalls } = this.options;
    let strikes = 0;
    let lastValidPingAt = Number.NEGATIVE_INFINITY; // A8's "epoch": the first ping is always valid
    let framesSeen = connection.framesSent;
    connection.on('ping', () => {
      if (connection.framesSent !== framesSeen) {
        framesSeen = connection.framesSent;
        strikes = 0;
        lastValidPingAt = Number.NEGATIVE_INFINITY;
      }
      const now = performance.now(); // monotonic, as A8 asks
      const idle = connection.streamCount === 0 && !permitWithoutCalls;
      const allowed = idle ? idlePingIntervalMs : minPingIntervalMs;
      if (now - lastValidPingAt >= allowed) {
        lastValidPingAt = now;
        return;
      }
      if (++strikes <= maxPingStrikes || connection.destroyed) return;
      const socket = connection.socket;
      const peer = `${socket?.remoteAddress}:${socket?.remotePort}`;
      connection.goaway(ErrorCode.ENHANCE_YOUR_CALM, 'too_many_pings');
      this.options.onTooManyPings?.(peer);
    });
  }
}
