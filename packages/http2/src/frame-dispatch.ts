// Frames in (RFC 9113 §6), handed by the frame reader to what handles their type: DATA to
// data-frames.ts, HEADERS and CONTINUATION to header-blocks.ts, the rest to control-frames.ts.
// Checked here, before any of them: the peer's first frame is SETTINGS (§3.4), and nothing
// interrupts a header block (§6.10). PUSH_PROMISE is refused (push is off, §8.4); a frame type we
// do not know is ignored (§5.5).

import type { Connection } from './connection.js';
import type { FrameSink } from './frame-reader.js';
import { connectionError } from './http2-error.js';
import { ErrorCode, Flag, FrameType } from './protocol.js';

export class FrameDispatch implements FrameSink {
  constructor(private readonly conn: Connection) {}

  onFrame(type: number, flags: number, streamId: number, buf: Buffer, start: number, length: number): void {
    const conn = this.conn;
    if (conn.headerBlocks.open && type !== FrameType.CONTINUATION) {
      throw connectionError(
        ErrorCode.PROTOCOL_ERROR,
        `frame of type ${type} inside the header block of stream ${conn.headerBlocks.streamId} (CONTINUATION expected, §6.10)`,
      );
    }
    if (!conn.peerSettingsReceived && (type !== FrameType.SETTINGS || flags & Flag.ACK)) {
      throw connectionError(ErrorCode.PROTOCOL_ERROR, `first frame of type ${type}, not SETTINGS (§3.4)`);
    }
    switch (type) {
      case FrameType.DATA:
        conn.data.onData(flags, streamId, buf, start, length);
        return;
      case FrameType.HEADERS:
        conn.headerBlocks.onHeaders(flags, streamId, buf, start, length);
        return;
      case FrameType.CONTINUATION:
        conn.headerBlocks.onContinuation(flags, streamId, buf, start, length);
        return;
      case FrameType.PRIORITY:
        conn.control.onPriority(streamId, buf, start, length);
        return;
      case FrameType.RST_STREAM:
        conn.control.onRstStream(streamId, buf, start, length);
        return;
      case FrameType.SETTINGS:
        conn.control.onSettings(flags, streamId, buf, start, length);
        return;
      case FrameType.PUSH_PROMISE:
        // We announce SETTINGS_ENABLE_PUSH 0 (client), and a client never pushes (§8.4).
        throw connectionError(ErrorCode.PROTOCOL_ERROR, 'PUSH_PROMISE, and push is disabled');
      case FrameType.PING:
        conn.control.onPing(flags, streamId, buf, start, length);
        return;
      case FrameType.GOAWAY:
        conn.control.onGoaway(streamId, buf, start, length);
        return;
      case FrameType.WINDOW_UPDATE:
        conn.control.onWindowUpdate(streamId, buf, start, length);
        return;
      default:
        return; // §5.5: unknown frame types are ignored
    }
  }
}
