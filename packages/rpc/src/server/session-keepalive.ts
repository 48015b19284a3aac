// Server-side keepalive (gRFC A8). Two duties per HTTP/2 connection:
// - ping the client every timeMs, and close a connection that does not answer within timeoutMs,
//   so dead peers do not hold streams forever;
// - enforce the client's ping policy (A8 "Server Enforcement", grpc-go's EnforcementPolicy):
//   a PING sooner than minPingIntervalMs after the last valid one (2 h when the connection has no
//   stream and permitWithoutCalls is false) is a strike; the third strike gets GOAWAY
//   ENHANCE_YOUR_CALM with debug data "too_many_pings" and the connection is closed at once,
//   failing calls in flight so that the client's author notices the misconfiguration.

import http2 from 'node:http2';
import { performance } from 'node:perf_hooks';

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
const tooManyPings = Buffer.from('too_many_pings', 'ascii');

export class SessionKeepalive {
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Per connection, what forgives the client's strikes when the server sends it DATA. */
  private readonly resets = new WeakMap<http2.Http2Session, () => void>();

  constructor(private readonly options: SessionKeepaliveOptions) {
    const { minPingIntervalMs } = options;
    if (!(minPingIntervalMs >= 0) || minPingIntervalMs === Number.POSITIVE_INFINITY) {
      throw new RangeError(
        `keepalive.minPingIntervalMs: must be a finite number >= 0, got ${String(minPingIntervalMs)}`,
      );
    }
  }

  watch(session: http2.ServerHttp2Session): void {
    this.enforcePingPolicy(session);
    const { timeMs, timeoutMs } = this.options;
    if (!Number.isFinite(timeMs) || timeMs <= 0) return;
    const timer = setInterval(() => {
      if (session.destroyed || session.closed) return;
      const deadline = setTimeout(() => session.destroy(), timeoutMs);
      deadline.unref();
      const sent = session.ping((err) => {
        clearTimeout(deadline);
        if (err && !session.destroyed) session.destroy();
      });
      if (!sent) clearTimeout(deadline);
    }, timeMs);
    timer.unref();
    this.timers.add(timer);
    session.once('close', () => {
      clearInterval(timer);
      this.timers.delete(timer);
    });
  }

  close(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers.clear();
  }

  /**
   * The server sent DATA on the connection (a response message): A8 resets the ping strikes, so
   * a client that pings after each message it receives (gRPC C-core's BDP pings on a long-lived
   * xDS stream) is within the policy.
   */
  dataSent(session: http2.Http2Session | undefined): void {
    if (session) this.resets.get(session)?.();
  }

  /**
   * A8's suggested algorithm. It resets when the server sends HEADERS or DATA; node:http2 reports
   * no frame it sends, so this resets when a stream opens (its response headers follow), when a
   * stream that was answered closes, and when a call writes a message (`dataSent`).
   */
  private enforcePingPolicy(session: http2.ServerHttp2Session): void {
    const { minPingIntervalMs, permitWithoutCalls } = this.options;
    let activeStreams = 0;
    let strikes = 0;
    let lastValidPingAt = Number.NEGATIVE_INFINITY; // A8's "epoch": the first ping is always valid
    const reset = () => {
      strikes = 0;
      lastValidPingAt = Number.NEGATIVE_INFINITY;
    };
    this.resets.set(session, reset);
    // One close handler per session, not a closure per stream: this runs on every call.
    const onStreamClose = function (this: http2.ServerHttp2Stream) {
      activeStreams--;
      if (this.headersSent) reset();
    };
    session.on('stream', (stream: http2.ServerHttp2Stream) => {
      activeStreams++;
      reset();
      stream.on('close', onStreamClose);
    });
    session.on('ping', () => {
      const now = performance.now(); // monotonic, as A8 asks
      const allowed = activeStreams === 0 && !permitWithoutCalls ? idlePingIntervalMs : minPingIntervalMs;
      if (now - lastValidPingAt >= allowed) {
        lastValidPingAt = now;
        return;
      }
      if (++strikes <= maxPingStrikes || session.destroyed) return;
      const { remoteAddress, remotePort } = session.socket;
      session.goaway(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM, 0, tooManyPings);
      // destroy() flushes the queued GOAWAY before the socket closes; lastStreamID 0 makes node
      // send the last stream it processed.
      session.destroy();
      this.options.onTooManyPings?.(`${remoteAddress}:${remotePort}`);
    });
  }
}
