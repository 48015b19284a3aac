// Control frames in (RFC 9113 §6): SETTINGS (§6.5: validated, applied, acknowledged; a new
// INITIAL_WINDOW_SIZE moves every stream's window, §6.9.2), PING (§6.7), GOAWAY (§6.8),
// WINDOW_UPDATE (§6.9), RST_STREAM (§6.4) and PRIORITY (§6.3: checked, then ignored as §5.3.2
// allows), each with its connection or stream errors and its flood limits.

import { performance } from 'node:perf_hooks';
import type { Connection } from './connection.js';
import { connectionError, Http2Error } from './http2-error.js';
import { ErrorCode, Flag, MAX_WINDOW } from './protocol.js';
import { applySettings } from './settings.js';

export class ControlFrames {
  constructor(private readonly conn: Connection) {}

  onPriority(id: number, buf: Buffer, start: number, length: number): void {
    const conn = this.conn;
    if (id === 0) throw connectionError(ErrorCode.PROTOCOL_ERROR, 'PRIORITY on stream 0');
    if (length !== 5) {
      conn.resetAny(id, ErrorCode.FRAME_SIZE_ERROR, `PRIORITY of ${length} bytes (5 expected)`);
      return;
    }
    if ((buf.readUInt32BE(start) & 0x7fffffff) === id) {
      conn.resetAny(id, ErrorCode.PROTOCOL_ERROR, `stream ${id} depends on itself`);
      return;
    }
    // RFC 9113 §5.3.2: priority signals may be ignored, and are.
    if (!conn.flood.takeEmpty()) throw conn.calm('a flood of PRIORITY frames');
  }

  onRstStream(id: number, buf: Buffer, start: number, length: number): void {
    const conn = this.conn;
    if (length !== 4) throw connectionError(ErrorCode.FRAME_SIZE_ERROR, `RST_STREAM of ${length} bytes`);
    if (id === 0) throw connectionError(ErrorCode.PROTOCOL_ERROR, 'RST_STREAM on stream 0');
    const stream = conn.streams.get(id);
    if (stream === undefined) {
      if (conn.isIdle(id)) throw connectionError(ErrorCode.PROTOCOL_ERROR, `RST_STREAM on idle stream ${id}`);
      return;
    }
    const code = buf.readUInt32BE(start);
    // Rapid reset (CVE-2023-44487): streams the peer opens and cancels before we answer.
    if (!conn.isClient && !stream.localEnded && !conn.flood.takeReset()) {
      throw conn.calm('too many streams reset by the peer (rapid reset)');
    }
    stream.rstCode = code;
    if (code === ErrorCode.NO_ERROR && stream.remoteEnded) {
      stream.finish(undefined, false); // §8.1: the peer has all it wants; what it sent stands
      return;
    }
    stream.finish(new Http2Error(code, `stream ${id} reset by the peer`, 'stream', false), false);
  }

  onSettings(flags: number, id: number, buf: Buffer, start: number, length: number): void {
    const conn = this.conn;
    if (id !== 0) throw connectionError(ErrorCode.PROTOCOL_ERROR, `SETTINGS on stream ${id}`);
    if (flags & Flag.ACK) {
      if (length !== 0) throw connectionError(ErrorCode.FRAME_SIZE_ERROR, 'SETTINGS ACK with a payload');
      conn.deadlines.settingsAck = 0;
      return;
    }
    if (length % 6 !== 0) throw connectionError(ErrorCode.FRAME_SIZE_ERROR, `SETTINGS of ${length} bytes`);
    if (conn.peerSettingsReceived && !conn.flood.takeControl()) throw conn.calm('a flood of SETTINGS frames');
    conn.checkOutbound();
    const settings = conn.remoteSettings;
    const previousWindow = applySettings(settings, buf, start, length, conn.isClient);
    conn.peerSettingsReceived = true;
    if (previousWindow !== undefined) {
      // §6.9.2: every stream's send window moves by the change.
      const delta = settings.initialWindowSize - previousWindow;
      for (const stream of conn.streams.values()) {
        stream.sendWindow += delta;
        if (stream.sendWindow > MAX_WINDOW) {
          throw connectionError(ErrorCode.FLOW_CONTROL_ERROR, `stream ${stream.id}'s window over 2^31 - 1`);
        }
      }
    }
    conn.writer.encoder.peerTableSize(settings.headerTableSize);
    conn.writer.settingsAck();
    conn.onRemoteSettings();
    conn.emit('remoteSettings', settings);
    if (previousWindow !== undefined) conn.flow.resume();
  }

  onPing(flags: number, id: number, buf: Buffer, start: number, length: number): void {
    const conn = this.conn;
    if (length !== 8) throw connectionError(ErrorCode.FRAME_SIZE_ERROR, `PING of ${length} bytes`);
    if (id !== 0) throw connectionError(ErrorCode.PROTOCOL_ERROR, `PING on stream ${id}`);
    if (flags & Flag.ACK) {
      const pingId = buf.readUInt32BE(start);
      const i = conn.pings?.findIndex((p) => p.id === pingId) ?? -1;
      if (i < 0) return; // not ours (or answered twice): ignored
      const [ping] = conn.pings!.splice(i, 1);
      ping!.callback?.(null, performance.now() - ping!.sentAt);
      return;
    }
    if (!conn.flood.takeControl()) throw conn.calm('a flood of PING frames');
    conn.checkOutbound();
    conn.writer.pingAck(buf.subarray(start, start + 8));
    if (conn.listenerCount('ping') > 0) conn.emit('ping', Buffer.from(buf.subarray(start, start + 8)));
  }

  onGoaway(id: number, buf: Buffer, start: number, length: number): void {
    const conn = this.conn;
    if (id !== 0) throw connectionError(ErrorCode.PROTOCOL_ERROR, `GOAWAY on stream ${id}`);
    if (length < 8) throw connectionError(ErrorCode.FRAME_SIZE_ERROR, `GOAWAY of ${length} bytes`);
    const lastStreamId = buf.readUInt32BE(start) & 0x7fffffff;
    const code = buf.readUInt32BE(start + 4);
    const debug = Buffer.from(buf.subarray(start + 8, start + length));
    conn.goawayReceived = { code, lastStreamId };
    conn.onPeerGoaway(lastStreamId, code, debug);
    conn.emit('goaway', code, lastStreamId, debug);
    conn.startDraining();
  }

  onWindowUpdate(id: number, buf: Buffer, start: number, length: number): void {
    const conn = this.conn;
    if (length !== 4) throw connectionError(ErrorCode.FRAME_SIZE_ERROR, `WINDOW_UPDATE of ${length} bytes`);
    const increment = buf.readUInt32BE(start) & 0x7fffffff;
    if (id === 0) {
      if (increment === 0)
        throw connectionError(ErrorCode.PROTOCOL_ERROR, 'WINDOW_UPDATE of 0 on the connection');
      if (conn.flow.window + increment > MAX_WINDOW) {
        throw connectionError(ErrorCode.FLOW_CONTROL_ERROR, 'connection window over 2^31 - 1');
      }
      if (!conn.flow.waiting && increment < 8192 && !conn.flood.takeEmpty()) {
        throw conn.calm('a flood of WINDOW_UPDATE frames');
      }
      conn.flow.window += increment;
      conn.flow.resume();
      return;
    }
    const stream = conn.streams.get(id);
    if (stream === undefined) {
      if (conn.isIdle(id))
        throw connectionError(ErrorCode.PROTOCOL_ERROR, `WINDOW_UPDATE on idle stream ${id}`);
      return;
    }
    if (increment === 0) {
      conn.failStream(stream, ErrorCode.PROTOCOL_ERROR, `WINDOW_UPDATE of 0 on stream ${id}`);
      return;
    }
    if (stream.sendWindow + increment > MAX_WINDOW) {
      conn.failStream(stream, ErrorCode.FLOW_CONTROL_ERROR, `stream ${id}'s window over 2^31 - 1`);
      return;
    }
    if (!stream.hasQueue && increment < 8192 && !conn.flood.takeEmpty())
      throw conn.calm('a flood of WINDOW_UPDATE frames');
    stream.sendWindow += increment;
    if (stream.hasQueue && conn.flow.canWrite()) stream.flushQueue();
  }
}
