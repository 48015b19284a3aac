// Header blocks in: HEADERS (§6.2) and CONTINUATION (§6.10) frames gathered into one block,
// decoded (HPACK, with the header-list limit enforced while decoding), checked (§8) and turned
// into a new stream, response headers or trailers, according to the stream's state (§5.1).
// Every block is decoded, even one for a stream that is refused or gone, so that the HPACK
// table stays in step with the peer (§4.3).
//
// CONTINUATION floods (CVE-2024-27316): a block may span at most maxContinuations frames and
// maxHeaderBlockBytes bytes; past either the connection ends with ENHANCE_YOUR_CALM.

import type { Connection } from './connection.js';
import { BlockKind, HeaderCollector } from './header-collector.js';
import { HpackDecoder } from './hpack/hpack-decoder.js';
import { connectionError } from './http2-error.js';
import { ErrorCode, Flag } from './protocol.js';
import { Http2Stream } from './stream.js';

/** Skipped id ranges remembered; past this, a reused id counts as a closed stream. */
const MAX_GAPS = 16;

interface OpenBlock {
  streamId: number;
  endStream: boolean;
  selfDependent: boolean;
  fragments: Buffer[];
  length: number;
  continuations: number;
}

export class HeaderBlocks {
  private block: OpenBlock | undefined;
  private readonly decoder: HpackDecoder;
  private readonly collector = new HeaderCollector();
  /** Ranges of client stream ids skipped over (never opened), to tell them from closed ones. */
  private gaps: [number, number][] | undefined;

  constructor(
    private readonly conn: Connection,
    headerTableSize: number,
  ) {
    this.decoder = new HpackDecoder(headerTableSize);
  }

  /** A block has started and not ended: only its CONTINUATION frames may come next. */
  get open(): boolean {
    return this.block !== undefined;
  }

  get streamId(): number {
    return this.block?.streamId ?? 0;
  }

  onHeaders(flags: number, id: number, buf: Buffer, start: number, length: number): void {
    if (id === 0) throw connectionError(ErrorCode.PROTOCOL_ERROR, 'HEADERS on stream 0');
    let at = start;
    let end = start + length;
    if (flags & Flag.PADDED) {
      if (length < 1)
        throw connectionError(ErrorCode.FRAME_SIZE_ERROR, `HEADERS on stream ${id} too short for padding`);
      end -= buf[at++]!;
    }
    let selfDependent = false;
    if (flags & Flag.PRIORITY) {
      if (end - at < 5) {
        throw connectionError(
          ErrorCode.FRAME_SIZE_ERROR,
          `HEADERS on stream ${id} too short for its priority`,
        );
      }
      selfDependent = (buf.readUInt32BE(at) & 0x7fffffff) === id;
      at += 5;
    }
    if (end < at) {
      throw connectionError(
        ErrorCode.PROTOCOL_ERROR,
        `HEADERS on stream ${id}: padding longer than the frame (§6.2)`,
      );
    }
    const endStream = (flags & Flag.END_STREAM) !== 0;
    if (flags & Flag.END_HEADERS) {
      this.complete(id, endStream, selfDependent, buf, at, end);
      return;
    }
    this.checkSize(at === end, end - at);
    this.block = {
      streamId: id,
      endStream,
      selfDependent,
      fragments: [Buffer.from(buf.subarray(at, end))],
      length: end - at,
      continuations: 0,
    };
  }

  onContinuation(flags: number, id: number, buf: Buffer, start: number, length: number): void {
    const block = this.block;
    if (block === undefined)
      throw connectionError(ErrorCode.PROTOCOL_ERROR, `CONTINUATION on stream ${id} without HEADERS`);
    if (block.streamId !== id) {
      throw connectionError(
        ErrorCode.PROTOCOL_ERROR,
        `CONTINUATION on stream ${id} inside the header block of stream ${block.streamId}`,
      );
    }
    const { limits } = this.conn;
    if (++block.continuations > limits.maxContinuations) {
      throw connectionError(
        ErrorCode.ENHANCE_YOUR_CALM,
        `header block of stream ${id} in more than ${limits.maxContinuations} CONTINUATION frames`,
      );
    }
    block.length += length;
    this.checkSize(length === 0 && !(flags & Flag.END_HEADERS), block.length);
    block.fragments.push(Buffer.from(buf.subarray(start, start + length)));
    if (!(flags & Flag.END_HEADERS)) return;
    this.block = undefined;
    const whole =
      block.fragments.length === 1 ? block.fragments[0]! : Buffer.concat(block.fragments, block.length);
    this.complete(id, block.endStream, block.selfDependent, whole, 0, whole.length);
  }

  private checkSize(emptyFragment: boolean, total: number): void {
    const { limits } = this.conn;
    if (total > limits.maxHeaderBlockBytes) {
      throw connectionError(
        ErrorCode.ENHANCE_YOUR_CALM,
        `header block over ${limits.maxHeaderBlockBytes} bytes`,
      );
    }
    if (emptyFragment && !this.conn.flood.takeEmpty()) {
      throw connectionError(ErrorCode.ENHANCE_YOUR_CALM, 'a flood of empty header fragments');
    }
  }

  /** A whole block for stream `id`: what it is depends on who opened the stream and its state. */
  private complete(
    id: number,
    endStream: boolean,
    selfDependent: boolean,
    buf: Buffer,
    start: number,
    end: number,
  ): void {
    const conn = this.conn;
    const stream = conn.streams.get(id);
    if (stream !== undefined) {
      const kind = conn.isClient && !stream.gotHeaders ? BlockKind.RESPONSE : BlockKind.TRAILERS;
      this.onStreamBlock(stream, kind, endStream, buf, start, end);
      return;
    }
    if (conn.isClient || (id & 1) === 0 || id <= conn.lastPeerStreamId) {
      this.discard(buf, start, end);
      if (conn.isIdle(id)) {
        throw connectionError(ErrorCode.PROTOCOL_ERROR, `HEADERS on idle stream ${id} (§5.1)`);
      }
      if (conn.recentlyReset(id)) return; // a stream we reset: the peer sent this before it knew
      if (!conn.isClient && this.skipped(id)) {
        throw connectionError(
          ErrorCode.PROTOCOL_ERROR,
          `new stream ${id} below stream ${conn.lastPeerStreamId} (§5.1.1)`,
        );
      }
      throw connectionError(ErrorCode.STREAM_CLOSED, `HEADERS on closed stream ${id} (§5.1)`);
    }
    this.onRequest(id, endStream, selfDependent, buf, start, end);
  }

  /** Server: a new stream from the client. */
  private onRequest(
    id: number,
    endStream: boolean,
    selfDependent: boolean,
    buf: Buffer,
    start: number,
    end: number,
  ): void {
    const conn = this.conn;
    const limit = conn.localSettings.maxHeaderListSize;
    const collector = this.collector;
    const size = this.decode(BlockKind.REQUEST, buf, start, end, limit);
    const firstSkipped = conn.lastPeerStreamId === 0 ? 1 : conn.lastPeerStreamId + 2;
    if (id > firstSkipped && (this.gaps?.length ?? 0) < MAX_GAPS)
      (this.gaps ??= []).push([firstSkipped, id - 2]);
    conn.lastPeerStreamId = id;
    if (conn.goawaySent !== undefined && id > conn.goawaySent) return; // §6.8: ignored after our GOAWAY
    if (selfDependent) {
      conn.resetUnknown(id, ErrorCode.PROTOCOL_ERROR);
      return;
    }
    if (conn.peerStreams >= conn.localSettings.maxConcurrentStreams) {
      conn.resetUnknown(id, ErrorCode.REFUSED_STREAM);
      return; // §5.1.2
    }
    const headers = collector.headers;
    collector.release();
    const stream = new Http2Stream(
      id,
      conn,
      conn.remoteSettings.initialWindowSize,
      conn.localSettings.initialWindowSize,
      false,
    );
    stream.headers = headers;
    stream.expectedLength = collector.contentLength;
    conn.streams.set(stream);
    conn.peerStreams++;
    if (size > limit) {
      conn.onHeadersTooLarge(stream, headers, size);
      if (endStream && !stream.closed) stream.receiveEnd();
      return;
    }
    const malformed = collector.finish();
    if (malformed !== undefined) {
      conn.failStream(stream, ErrorCode.PROTOCOL_ERROR, `malformed request on stream ${id}: ${malformed}`);
      return;
    }
    if (endStream && stream.expectedLength > 0) {
      conn.failStream(
        stream,
        ErrorCode.PROTOCOL_ERROR,
        `stream ${id}: no body, content-length ${stream.expectedLength}`,
      );
      return;
    }
    conn.onPeerStream(stream, headers);
    if (endStream && !stream.closed) stream.receiveEnd();
  }

  /** Response headers (client) or trailers (either side) on an open stream. */
  private onStreamBlock(
    stream: Http2Stream,
    kind: BlockKind,
    endStream: boolean,
    buf: Buffer,
    start: number,
    end: number,
  ): void {
    const conn = this.conn;
    const limit = conn.localSettings.maxHeaderListSize;
    const collector = this.collector;
    const size = this.decode(kind, buf, start, end, limit);
    const headers = collector.headers;
    collector.release();
    const id = stream.id;
    if (stream.remoteEnded) {
      conn.failStream(stream, ErrorCode.STREAM_CLOSED, `HEADERS on stream ${id} after END_STREAM`);
      return;
    }
    if (size > limit) {
      conn.failStream(
        stream,
        ErrorCode.PROTOCOL_ERROR,
        `header list of ${size} bytes on stream ${id}, over ${limit}`,
      );
      return;
    }
    const malformed = collector.finish();
    if (malformed !== undefined) {
      conn.failStream(
        stream,
        ErrorCode.PROTOCOL_ERROR,
        `malformed header block on stream ${id}: ${malformed}`,
      );
      return;
    }
    if (kind === BlockKind.RESPONSE) {
      const status = collector.statusCode;
      if (status < 200) {
        // 1xx: informational, a final response follows (§8.1); it may not end the stream.
        if (endStream) {
          conn.failStream(stream, ErrorCode.PROTOCOL_ERROR, `${status} response with END_STREAM`);
        }
        return;
      }
      stream.receiveHeaders(headers, endStream);
      return;
    }
    if (!endStream) {
      conn.failStream(stream, ErrorCode.PROTOCOL_ERROR, `trailers on stream ${id} without END_STREAM (§8.1)`);
      return;
    }
    const expected = stream.expectedLength;
    if (expected >= 0 && stream.receivedLength !== expected) {
      conn.failStream(
        stream,
        ErrorCode.PROTOCOL_ERROR,
        `stream ${id}: body length differs from content-length ${expected}`,
      );
      return;
    }
    stream.receiveTrailers(headers);
  }

  /** Whether `id` was skipped by the client (closed without ever being opened, §5.1.1). */
  private skipped(id: number): boolean {
    return this.gaps?.some(([from, to]) => id >= from && id <= to) ?? false;
  }

  /** Decodes a block as `kind` into the collector; returns its header-list size (`limit` 0: nothing is built). */
  private decode(kind: BlockKind, buf: Buffer, start: number, end: number, limit: number): number {
    this.collector.reset(kind);
    return this.decoder.decode(buf, start, end, limit, this.collector);
  }

  /** Decodes a block nobody will read, for the HPACK table's sake. */
  private discard(buf: Buffer, start: number, end: number): void {
    this.decode(BlockKind.TRAILERS, buf, start, end, 0);
    this.collector.release();
  }
}
