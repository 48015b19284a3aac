// Frames out (RFC 9113 §4.1, §6): each frame type written into the connection's WriteBuffer,
// header blocks encoded in place and split into CONTINUATION frames past the peer's
// SETTINGS_MAX_FRAME_SIZE (§6.10), and the flush that hands a turn of the event loop's frames to
// the socket in one write (setImmediate, so HEADERS, DATA and trailers of many streams go
// together).

import type net from 'node:net';
import { type HeaderBlock, HpackEncoder, type OutgoingHeaders } from './hpack/hpack-encoder.js';
import { Flag, FrameType } from './protocol.js';
import { type Settings, writeSettings } from './settings.js';
import { WriteBuffer } from './write-buffer.js';

function flushWriter(writer: FrameWriter): void {
  // Still scheduled while beforeFlush frames gathered writes: they need no flush of their own.
  writer.flush();
  writer.scheduled = false;
}

export class FrameWriter {
  private readonly out = new WriteBuffer();
  readonly encoder = new HpackEncoder();
  /** @internal */
  scheduled = false;
  /** Runs first at each flush: small writes gathered per stream become their DATA frames. */
  beforeFlush: (() => void) | undefined;

  constructor(private readonly socket: net.Socket) {}

  /** Bytes written and not yet handed to the socket. */
  get pending(): number {
    return this.out.length;
  }

  /** Raw bytes (the client preface). */
  bytes(bytes: Buffer): void {
    this.out.bytes(bytes);
    this.schedule();
  }

  settings(settings: Readonly<Settings>, isClient: boolean): void {
    writeSettings(this.out, settings, isClient);
    this.schedule();
  }

  settingsAck(): void {
    this.out.frameHeader(0, FrameType.SETTINGS, Flag.ACK, 0);
    this.schedule();
  }

  /** A PING of ours, its payload our id for it. */
  ping(id: number): void {
    this.out.frameHeader(8, FrameType.PING, 0, 0);
    this.out.u32(id);
    this.out.u32(0);
    this.schedule();
  }

  pingAck(payload: Buffer): void {
    this.out.frameHeader(8, FrameType.PING, Flag.ACK, 0);
    this.out.bytes(payload);
    this.schedule();
  }

  rst(id: number, code: number): void {
    this.out.frameHeader(4, FrameType.RST_STREAM, 0, id);
    this.out.u32(code);
    this.schedule();
  }

  goaway(lastStreamId: number, code: number, debug: string | undefined): void {
    const data = debug ? Buffer.from(debug, 'utf8').subarray(0, 256) : undefined;
    this.out.frameHeader(8 + (data?.length ?? 0), FrameType.GOAWAY, 0, 0);
    this.out.u32(lastStreamId);
    this.out.u32(code);
    if (data) this.out.bytes(data);
    this.schedule();
  }

  windowUpdate(id: number, increment: number): void {
    this.out.frameHeader(4, FrameType.WINDOW_UPDATE, 0, id);
    this.out.u32(increment);
    this.schedule();
  }

  /** One DATA frame of `n` bytes of `buf` from `start` (the whole buffer when it is all of it). */
  data(id: number, buf: Buffer, start: number, n: number, endStream: boolean): void {
    this.out.frameHeader(n, FrameType.DATA, endStream ? Flag.END_STREAM : 0, id);
    if (n > 0) this.out.bytes(n === buf.length ? buf : buf.subarray(start, start + n));
    this.schedule();
  }

  /** A header block: `block` (encoded once) and `fields`, as HEADERS and CONTINUATION frames. */
  headers(
    id: number,
    block: HeaderBlock | undefined,
    fields: OutgoingHeaders | undefined,
    endStream: boolean,
    maxFrameSize: number,
  ): void {
    const flags = endStream ? Flag.END_STREAM : 0;
    const bound = this.encoder.bound(block, fields);
    if (bound <= maxFrameSize) {
      // Encode in place, then fill in the frame header's length.
      const out = this.out;
      const buf = out.ensure(9 + bound);
      const at = out.pos;
      out.pos += 9;
      out.length += 9;
      const before = out.length;
      try {
        this.encoder.encode(out, block, fields);
      } catch (err) {
        // A field failed its check halfway (a bad header value): nothing of the frame stays in
        // the buffer (it fits in this segment, by the bound), so the connection's other streams
        // go on as if it had never been written.
        out.pos = at;
        out.length = before - 9;
        this.encoder.forget();
        throw err;
      }
      const length = out.length - before;
      buf[at] = length >>> 16;
      buf[at + 1] = (length >>> 8) & 0xff;
      buf[at + 2] = length & 0xff;
      buf[at + 3] = FrameType.HEADERS;
      buf[at + 4] = flags | Flag.END_HEADERS;
      buf.writeUInt32BE(id, at + 5);
    } else {
      const scratch = new WriteBuffer();
      try {
        this.encoder.encode(scratch, block, fields);
      } catch (err) {
        this.encoder.forget();
        throw err;
      }
      const bytes = scratch.takeAll();
      let at = 0;
      do {
        const n = Math.min(maxFrameSize, bytes.length - at);
        const last = at + n === bytes.length;
        const type = at === 0 ? FrameType.HEADERS : FrameType.CONTINUATION;
        this.out.frameHeader(n, type, (at === 0 ? flags : 0) | (last ? Flag.END_HEADERS : 0), id);
        this.out.bytes(bytes.subarray(at, at + n));
        at += n;
      } while (at < bytes.length);
    }
    this.schedule();
  }

  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(flushWriter, this);
  }

  /** Hands what was written to the socket: one write, or several corked into one writev. */
  flush(): void {
    this.beforeFlush?.();
    const chunks = this.out.take();
    const socket = this.socket;
    if (chunks === undefined || socket.destroyed) return;
    if (!Array.isArray(chunks)) {
      socket.write(chunks);
      return;
    }
    socket.cork();
    for (const chunk of chunks) socket.write(chunk);
    socket.uncork();
  }

  /** Drops what was not flushed (the connection is gone). */
  clear(): void {
    this.out.clear();
  }
}
