// Client-side keepalive of one HTTP/2 connection (gRFC A8 "Basic Keepalive"). A PING goes out
// only once the connection has received nothing for `time`; the connection is closed when nothing
// (ACK or any other byte) arrives within `timeout` after it; with no call in flight, and unless
// permitted, the connection is left alone. Internal to the session pool.
//
// No event is raised per received frame, so received bytes are read from the socket's
// byte counter at each timer tick (cheap, and nothing runs per call or per frame). A change seen
// at a tick means bytes came some time since the previous tick, so the tick's time stands for the
// last read: pings are never sooner than `time` after the last byte, and at most a tick later.
// Exact times come from the peer's SETTINGS and from PING ACKs.

import { performance } from 'node:perf_hooks';
import { Code } from '../code.js';
import { RpcError } from '../rpc-error.js';
import type { CallConnection } from '../wire.js';

/** Ticks per keepalive time: pings go out between 1 and 1.25 × time after the last byte. */
const ticksPerTime = 4;

export class ConnectionKeepalive {
  private timer: NodeJS.Timeout | undefined;
  private readonly tickMs: number;
  /** The socket's byte count when last looked at, and when that count was first seen. */
  private lastRead = 0;
  private lastReadAt = performance.now();
  /** When the unanswered keepalive PING went out; undefined when none is outstanding. */
  private pingSentAt: number | undefined;
  /** Asleep with no calls in flight (A8: no keepalive without calls unless permitted). */
  private dormant = false;
  private stopped = false;

  constructor(
    private readonly session: CallConnection,
    /** The keepalive time this connection was opened with. */
    readonly timeMs: number,
    private readonly timeoutMs: number,
    private readonly permitWithoutCalls: boolean,
    private readonly hasCalls: () => boolean,
  ) {
    this.tickMs = Math.max(1, timeMs / ticksPerTime);
    // Keepalive time counts from when the connection is up (after TLS), not from the dial.
    if (session.connecting) session.once('connect', this.received);
    this.schedule(this.tickMs);
  }

  /** Frames just arrived (the peer's SETTINGS): the connection is alive now. */
  readonly received = (): void => {
    const socket = this.session.socket;
    if (socket) this.lastRead = socket.bytesRead;
    this.lastReadAt = performance.now();
    this.pingSentAt = undefined;
  };

  /**
   * A call starts on a connection that was asleep. If it has been quiet for `time`, ping now,
   * before the call's HEADERS, so a dead connection is found within `timeout` (A8).
   */
  wake(): void {
    if (!this.dormant || this.stopped) return;
    this.dormant = false;
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(this.tick, ms);
    this.timer.unref();
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    const { session } = this;
    if (this.stopped || session.destroyed || session.closing) return;
    const now = performance.now();
    const read = session.socket?.bytesRead ?? this.lastRead;
    if (read !== this.lastRead) {
      // Any byte received shows the connection alive, an ACK or not (A8's timeout).
      this.lastRead = read;
      this.lastReadAt = now;
      this.pingSentAt = undefined;
    }
    if (this.pingSentAt !== undefined) {
      const left = this.pingSentAt + this.timeoutMs - now;
      if (left <= 0) {
        // Calls on the connection fail UNAVAILABLE with this as their cause.
        session.destroy(
          new RpcError(Code.UNAVAILABLE, `keepalive ping not answered within ${this.timeoutMs} ms`),
        );
        return;
      }
      this.schedule(Math.min(left, this.tickMs));
      return;
    }
    if (!this.permitWithoutCalls && !this.hasCalls()) {
      this.dormant = true;
      return;
    }
    // Not before the connection is up (TCP and TLS): node cancels such a ping, and keepalive
    // starts with the transport (as in grpc-go); a hung dial is the call deadline's business.
    if (session.connecting) {
      this.schedule(this.tickMs);
      return;
    }
    const quiet = now - this.lastReadAt;
    if (quiet < this.timeMs) {
      this.schedule(Math.min(this.tickMs, this.timeMs - quiet));
      return;
    }
    let sent = false;
    try {
      sent = session.ping(this.onAck);
    } catch {
      // The connection is closing; its own events retire it.
    }
    if (sent) this.pingSentAt = now;
    this.schedule(sent ? Math.min(this.timeoutMs, this.tickMs) : this.tickMs);
  };

  private readonly onAck = (err: Error | null): void => {
    // A cancelled ping means the connection is closing; the timeout path handles real silence.
    if (!err && !this.session.destroyed) this.received();
  };
}
