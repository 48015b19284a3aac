// DATA in (RFC 9113 §6.1) and receive flow control (§5.2, §6.9): padding, the connection window
// (every payload byte counts and is credited back with WINDOW_UPDATE once half the window is
// used, so the peer never waits on us for it; a paused stream holds at most its own window),
// the stream's window, content-length (§8.1.1), and empty frames counted as a flood.

import type { Connection } from './connection.js';
import { connectionError } from './http2-error.js';
import { DEFAULT_WINDOW, ErrorCode, Flag } from './protocol.js';

export class DataFrames {
  /** What the peer may still send on the connection, and what we have read but not credited. */
  private window = DEFAULT_WINDOW;
  private unacked = 0;

  constructor(
    private readonly conn: Connection,
    private readonly target: number,
  ) {
    // §6.9.2: the connection window starts at 65,535 and only WINDOW_UPDATE raises it.
    const raise = target - DEFAULT_WINDOW;
    if (raise > 0) {
      this.window += raise;
      conn.writer.windowUpdate(0, raise);
    }
  }

  onData(flags: number, id: number, buf: Buffer, start: number, length: number): void {
    const conn = this.conn;
    if (id === 0) throw connectionError(ErrorCode.PROTOCOL_ERROR, 'DATA on stream 0');
    let dataStart = start;
    let size = length;
    if (flags & Flag.PADDED) {
      // §6.1: a pad length as long as the payload or longer is a connection error.
      if (length < 1 || buf[start]! >= length) {
        throw connectionError(ErrorCode.PROTOCOL_ERROR, `DATA on stream ${id}: padding as long as the frame`);
      }
      dataStart = start + 1;
      size = length - 1 - buf[start]!;
    }
    // The whole payload counts against the connection window (§6.9.1), credited back at once.
    if (length > this.window) {
      throw connectionError(
        ErrorCode.FLOW_CONTROL_ERROR,
        `DATA of ${length} bytes on stream ${id}, over the connection window of ${this.window}`,
      );
    }
    this.window -= length;
    this.credit(length);
    const stream = conn.streams.get(id);
    if (stream === undefined) {
      if (conn.isIdle(id)) throw connectionError(ErrorCode.PROTOCOL_ERROR, `DATA on idle stream ${id}`);
      if (!conn.recentlyReset(id)) conn.resetUnknown(id, ErrorCode.STREAM_CLOSED);
      return;
    }
    if (stream.remoteEnded) {
      conn.failStream(stream, ErrorCode.STREAM_CLOSED, `DATA on stream ${id} after END_STREAM`);
      return;
    }
    if (conn.isClient && !stream.gotHeaders) {
      conn.failStream(stream, ErrorCode.PROTOCOL_ERROR, `DATA on stream ${id} before the response headers`);
      return;
    }
    if (length > stream.recvWindow) {
      conn.failStream(
        stream,
        ErrorCode.FLOW_CONTROL_ERROR,
        `DATA of ${length} bytes on stream ${id}, over its window of ${stream.recvWindow}`,
      );
      return;
    }
    stream.recvWindow -= length;
    const endStream = (flags & Flag.END_STREAM) !== 0;
    if (size === 0 && !endStream && !conn.flood.takeEmpty()) throw conn.calm('a flood of empty DATA frames');
    if (length > size) stream.consumed(length - size); // padding is credited back at once
    stream.receivedLength += size;
    const expected = stream.expectedLength;
    if (
      expected >= 0 &&
      (stream.receivedLength > expected || (endStream && stream.receivedLength !== expected))
    ) {
      conn.failStream(
        stream,
        ErrorCode.PROTOCOL_ERROR,
        `stream ${id}: body length differs from content-length ${expected}`,
      );
      return;
    }
    if (size > 0) stream.receiveData(buf.subarray(dataStart, dataStart + size));
    if (endStream && !stream.closed) stream.receiveEnd();
  }

  /** Credits the connection window back once half of it is used. */
  private credit(n: number): void {
    this.unacked += n;
    if (this.unacked >= this.target / 2) {
      this.window += this.unacked;
      this.conn.writer.windowUpdate(0, this.unacked);
      this.unacked = 0;
    }
  }
}
