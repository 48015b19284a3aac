// The deadlines of one connection, which the watchdog (watchdog.ts) checks about once a second:
// the peer's first SETTINGS (§3.4) and its ACK of ours (§6.5.3, SETTINGS_TIMEOUT), a frame or
// header block left incomplete (a slow-loris peer), a peer that reads nothing of what we write,
// and an idle connection (no stream for `idleTimeoutMs`), which closes gracefully.

import { now } from './clock.js';
import type { Connection } from './connection.js';
import { connectionError } from './http2-error.js';
import { ErrorCode } from './protocol.js';

export class ConnectionDeadlines {
  /** Deadline of the peer's first SETTINGS; a client's starts again once its socket is up. */
  handshake: number;
  /** Deadline of the peer's ACK of our SETTINGS (0: acknowledged, or not sent yet). */
  settingsAck = 0;
  /** When a partial frame or header block was first seen pending (0: none). */
  partialSince = 0;
  /** When the last stream closed (or the connection opened). */
  idleSince = now();
  private stallMark = -1;
  private stallSince = 0;

  constructor(private readonly conn: Connection) {
    this.handshake = this.idleSince + conn.limits.handshakeTimeoutMs;
  }

  /** A client's socket is up: the handshake's deadlines count from `at`. */
  socketUp(at: number): void {
    const { limits } = this.conn;
    this.handshake = at + limits.handshakeTimeoutMs;
    if (this.settingsAck !== 0) this.settingsAck = at + limits.settingsAckTimeoutMs;
  }

  /** Ends the connection whose deadline passed (an idle one gracefully). */
  check(at: number): void {
    const conn = this.conn;
    const { limits, socket } = conn;
    if (!conn.peerSettingsReceived && at > this.handshake && !conn.isConnecting()) {
      conn.fail(
        connectionError(
          ErrorCode.PROTOCOL_ERROR,
          `no SETTINGS from the peer within ${limits.handshakeTimeoutMs} ms`,
        ),
      );
      return;
    }
    if (this.settingsAck !== 0 && at > this.settingsAck && !conn.isConnecting()) {
      conn.fail(
        connectionError(
          ErrorCode.SETTINGS_TIMEOUT,
          `SETTINGS not acknowledged within ${limits.settingsAckTimeoutMs} ms`,
        ),
      );
      return;
    }
    if (this.partialSince !== 0 && at - this.partialSince > limits.frameTimeoutMs) {
      conn.fail(conn.calm(`a frame or header block left incomplete for ${limits.frameTimeoutMs} ms`));
      return;
    }
    if (socket.writableLength > 0) {
      const written = socket.bytesWritten;
      if (written !== this.stallMark) {
        this.stallMark = written;
        this.stallSince = at;
      } else if (at - this.stallSince > limits.sendStallTimeoutMs) {
        conn.destroy(
          connectionError(ErrorCode.CANCEL, `the peer read nothing for ${limits.sendStallTimeoutMs} ms`),
        );
        return;
      }
    } else this.stallMark = -1;
    if (
      limits.idleTimeoutMs > 0 &&
      conn.streams.size === 0 &&
      !conn.closing &&
      at - this.idleSince > limits.idleTimeoutMs
    ) {
      conn.close();
    }
  }
}
