// Send flow control (RFC 9113 §5.2, §6.9): DATA goes out as far as the stream's window, the
// connection's window and the peer's SETTINGS_MAX_FRAME_SIZE allow, and no faster than the peer
// reads (the socket's buffer is kept under a high-water mark); what cannot go waits in its stream,
// which is remembered here until a WINDOW_UPDATE, a SETTINGS change or the socket's 'drain' lets
// it send again.

import type { Connection } from './connection.js';
import { DEFAULT_WINDOW } from './protocol.js';
import type { Http2Stream } from './stream.js';

/** Socket output past which DATA waits in its stream (the peer reads slower than we write). */
const SOCKET_HIGH_WATER = 256 * 1024;

export class SendFlow {
  /** What we may still send on the connection. */
  window = DEFAULT_WINDOW;
  /** Streams with bytes waiting for a window or the socket; made when first needed. */
  private blocked: Set<Http2Stream> | undefined;

  constructor(private readonly conn: Connection) {}

  /** Whether some stream waits to send. */
  get waiting(): boolean {
    return (this.blocked?.size ?? 0) > 0;
  }

  /** DATA may go to the socket: it is open and not backed up. */
  canWrite(): boolean {
    const conn = this.conn;
    return !conn.destroyed && conn.writer.pending + conn.socket.writableLength < SOCKET_HIGH_WATER;
  }

  /**
   * Sends what the windows and the socket allow of `buf` as DATA frames; END_STREAM on the last
   * when `endStream` and all of it went. Returns the bytes sent.
   */
  sendData(stream: Http2Stream, buf: Buffer, endStream: boolean): number {
    const conn = this.conn;
    if (conn.destroyed) return 0;
    const total = buf.length;
    const id = stream.id;
    if (total === 0) {
      if (endStream) {
        conn.writer.data(id, buf, 0, 0, true);
        conn.framesSent++;
      }
      return 0;
    }
    const maxFrame = conn.remoteSettings.maxFrameSize;
    let sent = 0;
    while (sent < total && this.canWrite()) {
      const n = Math.min(total - sent, stream.sendWindow, this.window, maxFrame);
      if (n <= 0) break;
      conn.writer.data(id, buf, sent, n, endStream && sent + n === total);
      stream.sendWindow -= n;
      this.window -= n;
      sent += n;
      conn.framesSent++;
    }
    return sent;
  }

  /** A stream has bytes waiting for a window or the socket. */
  markBlocked(stream: Http2Stream): void {
    if (stream.id !== 0) (this.blocked ??= new Set()).add(stream);
  }

  /** A window opened or the socket drained: streams with queued bytes send what they can. */
  resume(): void {
    const blocked = this.blocked;
    if (blocked === undefined) return;
    for (const stream of blocked) {
      if (!this.canWrite() || this.window <= 0) return;
      if (!stream.hasQueue || stream.closed) {
        blocked.delete(stream);
        continue;
      }
      stream.flushQueue();
      if (!stream.hasQueue) blocked.delete(stream);
    }
  }

  forget(stream: Http2Stream): void {
    this.blocked?.delete(stream);
  }

  clear(): void {
    this.blocked = undefined;
  }
}
