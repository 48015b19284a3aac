// The client side of a connection: it sends the preface (RFC 9113 §3.4) and opens streams with
// odd ids in increasing order (§5.1.1). Streams beyond the server's SETTINGS_MAX_CONCURRENT_STREAMS
// wait here until one closes (§5.1.2). When the ids run out (2^31 - 1), or after a GOAWAY, the
// connection takes no new streams and says so ('draining'): whoever holds it opens a new one.
// Streams the server's GOAWAY leaves unprocessed fail with REFUSED_STREAM, safe to retry (§8.7).

import { now } from './clock.js';
import { Connection, type ConnectionInit } from './connection.js';
import type { IncomingHeaders } from './header-collector.js';
import type { HeaderBlock, OutgoingHeaders } from './hpack/hpack-encoder.js';
import { Http2Error } from './http2-error.js';
import { CLIENT_PREFACE, ErrorCode, MAX_STREAM_ID } from './protocol.js';
import { Http2Stream } from './stream.js';

export interface RequestOptions {
  /** Fields sent after `headers` in the same block (per-request additions to a HeaderBlock). */
  extra?: OutgoingHeaders;
  /** The request has no body: END_STREAM on its HEADERS. */
  endStream?: boolean;
}

interface Waiting {
  stream: Http2Stream;
  headers: HeaderBlock | OutgoingHeaders;
  extra: OutgoingHeaders | undefined;
  endStream: boolean;
}

export class ClientConnection extends Connection {
  private nextStreamId = 1;
  private readonly waiting: Waiting[] = [];
  private up: boolean;

  /** @internal */
  constructor(
    init: Omit<ConnectionInit, 'isClient'>,
    private readonly maxStreamId: number = MAX_STREAM_ID,
    connected: boolean,
  ) {
    super({ ...init, isClient: true });
    this.up = connected;
    // The preface goes first, then our SETTINGS (§3.4); requests may follow at once.
    this.start(CLIENT_PREFACE);
  }

  /** True until the socket (and TLS) is up. */
  get connecting(): boolean {
    return !this.up;
  }

  /** Whether request() may be called: not closing, not told GOAWAY, ids left. */
  get canRequest(): boolean {
    return !this.closing && !this.destroyed && this.nextStreamId <= this.maxStreamId;
  }

  /**
   * Opens a stream with `headers` (pseudo-headers :method, :scheme, :authority, :path among
   * them). Throws an Http2Error (REFUSED_STREAM, safe to retry elsewhere) when the connection
   * takes no new streams.
   */
  request(headers: HeaderBlock | OutgoingHeaders, options?: RequestOptions): Http2Stream {
    if (!this.canRequest) {
      const why = this.destroyed
        ? 'closed'
        : this.goawayReceived
          ? 'closing after GOAWAY'
          : this.closing
            ? 'closing'
            : 'out of stream ids';
      throw new Http2Error(ErrorCode.REFUSED_STREAM, `connection is ${why}`, 'connection');
    }
    const stream = new Http2Stream(0, this, 0, this.localSettings.initialWindowSize, true);
    const open: Waiting = { stream, headers, extra: options?.extra, endStream: options?.endStream ?? false };
    if (this.waiting.length === 0 && this.streams.size < this.remoteSettings.maxConcurrentStreams)
      this.open(open);
    else this.waiting.push(open);
    return stream;
  }

  close(): void {
    if (this.closing || this.destroyed) return;
    this.writeGoaway(0, ErrorCode.NO_ERROR);
    this.failPending(
      new Http2Error(ErrorCode.REFUSED_STREAM, 'connection closed before the stream opened', 'connection'),
    );
    this.startDraining();
  }

  /** @internal The socket (and TLS) is up: deadlines start now. */
  markUp(): void {
    if (this.up) return;
    this.up = true;
    this.deadlines.socketUp(now());
    this.emit('connect');
  }

  private open(w: Waiting): void {
    const { stream } = w;
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    stream.id = id;
    stream.sendWindow = this.remoteSettings.initialWindowSize;
    this.streams.set(stream);
    try {
      this.writeHeaders(id, w.headers, w.extra, w.endStream, true);
    } catch (err) {
      // A field the block cannot carry (a bad header value): none of the block was written
      // (frame-writer.ts), so the stream never reached the peer. It closes with the reason, and
      // the caller of request() gets the error thrown.
      const reason = err instanceof Error ? err.message : String(err);
      stream.finish(new Http2Error(ErrorCode.INTERNAL_ERROR, reason, 'stream', true), true);
      throw err;
    }
    if (w.endStream) stream.sentEnd();
    if (this.nextStreamId > this.maxStreamId) this.startDraining();
    stream.flushQueue();
  }

  protected override nextLocalStreamId(): number {
    return this.nextStreamId;
  }

  override onRemoteSettings(): void {
    this.openWaiting();
  }

  protected override afterStreamClosed(): void {
    this.openWaiting();
    super.afterStreamClosed();
  }

  private openWaiting(): void {
    while (
      this.waiting.length > 0 &&
      this.streams.size < this.remoteSettings.maxConcurrentStreams &&
      !this.destroyed
    ) {
      const next = this.waiting.shift()!;
      try {
        if (!next.stream.closed) this.open(next);
      } catch {
        // That stream was closed with the reason (open); the others still open.
      }
    }
  }

  override onPeerGoaway(lastStreamId: number, code: number, debug: Buffer): void {
    const why = `not processed: GOAWAY ${code} from the server (last stream ${lastStreamId}${debug.length ? `, "${debug.toString('latin1')}"` : ''})`;
    for (const stream of this.streams.values()) {
      if (stream.id > lastStreamId)
        stream.finish(new Http2Error(ErrorCode.REFUSED_STREAM, why, 'stream', false), false);
    }
    this.failPending(new Http2Error(ErrorCode.REFUSED_STREAM, why, 'stream', false));
  }

  protected override failPending(error: Http2Error): void {
    const waiting = this.waiting.splice(0);
    for (const w of waiting) w.stream.finish(error, true);
  }

  protected override mayEnd(): boolean {
    return this.waiting.length === 0;
  }

  override isConnecting(): boolean {
    return !this.up;
  }

  /** @internal A server never opens streams here: push is off (§8.4). */
  onPeerStream(_stream: Http2Stream, _headers: IncomingHeaders): void {}

  /** @internal */
  onHeadersTooLarge(_stream: Http2Stream, _headers: IncomingHeaders, _size: number): void {}
}
