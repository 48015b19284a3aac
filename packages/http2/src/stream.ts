// One HTTP/2 stream (RFC 9113 §5.1): its half-closed states, what is queued behind flow control
// (§5.2, §6.9) and what has arrived while the application was not reading. A stream is closed
// once both sides sent END_STREAM, or by RST_STREAM from either side, or with its connection.
//
// Receive flow control is automatic: bytes handed to the handler are credited back to the peer
// with WINDOW_UPDATE once half the stream's window is used; bytes held while paused are not,
// so a paused stream stops its peer after one window. Events reach the handler in order.

import type { Connection } from './connection.js';
import type { IncomingHeaders } from './header-collector.js';
import type { HeaderBlock, OutgoingHeaders } from './hpack/hpack-encoder.js';
import { Http2Error } from './http2-error.js';
import { ErrorCode } from './protocol.js';

/** What a stream tells its application. Every method is optional. */
export interface StreamHandler {
  /** Client: the response's headers (1xx are skipped); `endStream` for a response without body. */
  onHeaders?(headers: IncomingHeaders, endStream: boolean): void;
  /** Payload bytes, in order (padding removed). Valid after the call: the buffer is the handler's. */
  onData?(data: Buffer): void;
  /** Trailers: a header block after the body, which ends the peer's side. */
  onTrailers?(trailers: IncomingHeaders): void;
  /** The peer's side ended (END_STREAM): nothing more will arrive. */
  onEnd?(): void;
  /** What was queued past `highWaterMark` has gone out; write() may be called again. */
  onDrain?(): void;
  /**
   * The stream is over. No error: both sides ended. Otherwise why: reset by the peer
   * (`local` false, `code` its RST_STREAM code), reset by us, or its connection closed.
   */
  onClose?(error: Http2Error | undefined): void;
}

/** Marks where END_STREAM came among buffered inbound events. */
const END = Symbol('end');
/** A header block held for the handler: response headers, or trailers. */
interface HeldBlock {
  headers: IncomingHeaders;
  trailers: boolean;
  endStream: boolean;
}
type Inbound = Buffer | HeldBlock | typeof END;

const emptyBuffer = Buffer.alloc(0);
/** Writes under this size, and up to this much of them, are gathered until the flush. */
const GATHER_LIMIT = 16 * 1024;

export class Http2Stream {
  /** Bytes queued behind flow control past which write() returns false. */
  highWaterMark = 64 * 1024;
  /** The request headers (server side), or the response headers once they arrived (client side). */
  headers: IncomingHeaders | undefined;
  /** The RST_STREAM code, when the stream was reset by either side. */
  rstCode: number | undefined;
  /** END_STREAM sent. */
  localEnded = false;
  /** END_STREAM received. */
  remoteEnded = false;
  closed = false;
  /** Response headers (or request headers, client side) have been sent. */
  headersSent: boolean;

  private handler: StreamHandler | undefined;
  /** @internal What the peer may still send on this stream. */
  recvWindow: number;
  /** @internal What we may still send on this stream. */
  sendWindow: number;
  /** @internal content-length announced (-1: none) and DATA bytes received. */
  expectedLength = -1;
  /** @internal */
  receivedLength = 0;
  /** @internal Client: the final response headers have arrived. */
  gotHeaders = false;

  private unacked = 0;
  private paused = false;
  private inbound: Inbound[] | undefined;
  private delivering = false;
  /** A close that waits for buffered inbound events (undefined error: a clean close). */
  private closePending: { error: Http2Error | undefined } | undefined;

  private queue: Buffer[] | undefined;
  /**
   * Small writes made since the last flush, framed together when the connection flushes: a
   * server streaming many small messages sends them in a few DATA frames, not one frame each.
   */
  private gathered: Buffer[] | undefined;
  private gatheredBytes = 0;
  private queuedBytes = 0;
  private endQueued = false;
  private queuedTrailers: [HeaderBlock | OutgoingHeaders, OutgoingHeaders | undefined] | undefined;
  private resetAfterQueue: number | undefined;
  private needDrain = false;

  /** @internal */
  constructor(
    /** The stream identifier; 0 while a client stream waits for the peer's stream limit. */
    public id: number,
    readonly connection: Connection,
    sendWindow: number,
    recvWindow: number,
    headersSent: boolean,
  ) {
    this.sendWindow = sendWindow;
    this.recvWindow = recvWindow;
    this.headersSent = headersSent;
  }

  /** Bytes written but not yet sent (flow control or the socket hold them). */
  get writableLength(): number {
    return this.queuedBytes + this.gatheredBytes;
  }

  /** Sets the handler; events that arrived before are delivered to it, in order. */
  setHandler(handler: StreamHandler): void {
    this.handler = handler;
    if (this.inbound !== undefined || this.closePending !== undefined) this.scheduleDelivery();
  }

  /** Stops handing out DATA (and what follows it); the peer is stopped by flow control. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.inbound !== undefined || this.closePending !== undefined) this.scheduleDelivery();
  }

  /** Sends a header block: response headers (server), or informational ones. */
  sendHeaders(headers: HeaderBlock | OutgoingHeaders, endStream = false, extra?: OutgoingHeaders): void {
    if (this.closed) return;
    if (this.localEnded || this.endQueued)
      throw new Error(`stream ${this.id}: headers after the end of the stream`);
    this.headersSent = true;
    this.sendGathered();
    this.connection.writeHeaders(this.id, headers, extra, endStream, true);
    if (endStream) this.sentEnd();
  }

  /**
   * Sends payload bytes (the buffer must not change until sent). Returns false when more than
   * highWaterMark bytes wait for flow control or the socket; onDrain follows once they are out.
   */
  write(data: Uint8Array, endStream = false): boolean {
    if (this.closed) return false;
    if (this.localEnded || this.endQueued)
      throw new Error(`stream ${this.id}: write after the end of the stream`);
    if (!this.headersSent) throw new Error(`stream ${this.id}: write before headers were sent`);
    let buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (this.queue === undefined && this.id !== 0 && !endStream && buf.length < GATHER_LIMIT) {
      if (this.gatheredBytes + buf.length > GATHER_LIMIT) this.sendGathered();
      // Sent at the flush, with whatever else this stream writes before it (sendGathered).
      if (this.queue === undefined) {
        if (this.gathered === undefined) {
          this.gathered = [buf];
          this.connection.gather(this);
        } else this.gathered.push(buf);
        this.gatheredBytes += buf.length;
        return true;
      }
    } else this.sendGathered();
    if (this.queue === undefined && this.id !== 0) {
      const sent = this.connection.flow.sendData(this, buf, endStream);
      if (sent === buf.length) {
        if (endStream) this.sentEnd();
        return true;
      }
      buf = buf.subarray(sent);
    }
    this.enqueue(buf);
    if (endStream) this.endQueued = true;
    if (this.queuedBytes >= this.highWaterMark) {
      this.needDrain = true;
      return false;
    }
    return true;
  }

  /**
   * @internal Sends what small writes gathered, as DATA frames the windows allow (the rest waits
   * in the queue, after what was queued before it).
   */
  sendGathered(): void {
    const gathered = this.gathered;
    if (gathered === undefined) return;
    this.gathered = undefined;
    const n = this.gatheredBytes;
    this.gatheredBytes = 0;
    if (this.closed) return;
    let buf = gathered.length === 1 ? gathered[0]! : Buffer.concat(gathered, n);
    if (this.queue === undefined) {
      const sent = this.connection.flow.sendData(this, buf, false);
      if (sent === n) return;
      buf = buf.subarray(sent);
    }
    this.enqueue(buf);
  }

  /** Ends our side: with trailers (a HEADERS frame with END_STREAM), or an empty END_STREAM. */
  end(trailers?: HeaderBlock | OutgoingHeaders, extra?: OutgoingHeaders): void {
    if (this.closed || this.localEnded || this.endQueued) return;
    this.sendGathered();
    if (this.queue !== undefined || this.id === 0) {
      this.endQueued = true;
      if (trailers) this.queuedTrailers = [trailers, extra];
      this.queue ??= [];
      return;
    }
    if (trailers) this.connection.writeHeaders(this.id, trailers, extra, true, false);
    else this.connection.flow.sendData(this, emptyBuffer, true);
    this.sentEnd();
  }

  /**
   * Closes the stream once everything queued is sent: RST_STREAM with `code` unless both sides
   * have ended by then. A server that answered before the request ended uses NO_ERROR (§8.1).
   */
  close(code: number = ErrorCode.NO_ERROR): void {
    if (this.closed) return;
    this.sendGathered();
    if (this.queue !== undefined || this.id === 0) this.resetAfterQueue = code;
    else if (!(this.localEnded && this.remoteEnded)) this.reset(code);
  }

  /** Resets the stream now (RST_STREAM), dropping what is queued. */
  reset(code: number = ErrorCode.CANCEL): void {
    if (this.closed) return;
    this.dropQueue();
    this.rstCode = code;
    this.connection.resetStream(this, code);
    this.finish(new Http2Error(code, `stream ${this.id} reset by us`, 'stream', true), true);
  }

  /** @internal The connection sent or can send more: pushes queued bytes out. */
  flushQueue(): void {
    const queue = this.queue;
    if (queue === undefined || this.id === 0 || this.closed) return;
    while (queue.length > 0) {
      const head = queue[0]!;
      const last = queue.length === 1 && this.endQueued && this.queuedTrailers === undefined;
      const sent = this.connection.flow.sendData(this, head, last);
      this.queuedBytes -= sent;
      if (sent < head.length) {
        queue[0] = head.subarray(sent);
        return;
      }
      queue.shift();
      if (last) this.sentEnd();
    }
    this.queue = undefined;
    if (this.endQueued && !this.localEnded) {
      const trailers = this.queuedTrailers;
      this.queuedTrailers = undefined;
      if (trailers) this.connection.writeHeaders(this.id, trailers[0], trailers[1], true, false);
      else this.connection.flow.sendData(this, emptyBuffer, true);
      this.sentEnd();
    }
    if (this.resetAfterQueue !== undefined && !this.closed) this.reset(this.resetAfterQueue);
    if (this.needDrain && !this.closed) {
      this.needDrain = false;
      this.handler?.onDrain?.();
    }
  }

  /** @internal The stream waits for capacity or flow control to send. */
  get hasQueue(): boolean {
    return this.queue !== undefined;
  }

  /** @internal */
  receiveHeaders(headers: IncomingHeaders, endStream: boolean): void {
    this.headers = headers;
    this.gotHeaders = true;
    const handler = this.handler;
    if (handler !== undefined && this.inbound === undefined && !this.paused)
      handler.onHeaders?.(headers, endStream);
    else this.buffer({ headers, trailers: false, endStream });
    if (endStream) this.receiveEnd();
  }

  /** @internal */
  receiveData(data: Buffer): void {
    const handler = this.handler;
    if (handler !== undefined && this.inbound === undefined && !this.paused) {
      this.consumed(data.length);
      handler.onData?.(data);
    } else this.buffer(data);
  }

  /** @internal */
  receiveTrailers(trailers: IncomingHeaders): void {
    const handler = this.handler;
    if (handler !== undefined && this.inbound === undefined && !this.paused) handler.onTrailers?.(trailers);
    else this.buffer({ headers: trailers, trailers: true, endStream: true });
    this.receiveEnd();
  }

  /** @internal END_STREAM arrived. */
  receiveEnd(): void {
    this.remoteEnded = true;
    const handler = this.handler;
    if (handler !== undefined && this.inbound === undefined && !this.paused) handler.onEnd?.();
    else this.buffer(END);
    if (this.localEnded) this.finish(undefined, false);
  }

  /** @internal Bytes that count against the window but never reach the handler (padding). */
  consumed(n: number): void {
    this.unacked += n;
    if (this.remoteEnded || this.closed) return;
    if (this.unacked >= this.connection.streamWindowTarget / 2) {
      this.recvWindow += this.unacked;
      this.connection.windowUpdate(this.id, this.unacked);
      this.unacked = 0;
    }
  }

  /**
   * @internal The stream is over: it leaves its connection, and the handler hears of it once
   * what arrived before has been handed out (a clean close), or at once (an error).
   */
  finish(error: Http2Error | undefined, local: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.dropQueue();
    this.connection.streamClosed(this, local);
    if (error !== undefined) this.inbound = undefined;
    if (this.inbound !== undefined || this.delivering) {
      this.closePending = { error };
      return;
    }
    this.handler?.onClose?.(error);
  }

  /** @internal END_STREAM has been written. */
  sentEnd(): void {
    this.localEnded = true;
    this.endQueued = false;
    if (this.remoteEnded) this.finish(undefined, true);
  }

  private enqueue(buf: Buffer): void {
    if (buf.length === 0 && this.queue !== undefined) return;
    (this.queue ??= []).push(buf);
    this.queuedBytes += buf.length;
    this.connection.flow.markBlocked(this);
  }

  private dropQueue(): void {
    this.queue = undefined;
    this.queuedBytes = 0;
    this.gathered = undefined;
    this.gatheredBytes = 0;
    this.queuedTrailers = undefined;
    this.endQueued = false;
  }

  private buffer(event: Inbound): void {
    (this.inbound ??= []).push(event);
  }

  private scheduleDelivery(): void {
    if (this.delivering) return;
    this.delivering = true;
    queueMicrotask(this.deliver);
  }

  /** Hands out what was buffered, in order, while a handler is set and the stream not paused. */
  private readonly deliver = (): void => {
    this.delivering = false;
    const handler = this.handler;
    if (handler === undefined) return;
    const inbound = this.inbound;
    while (inbound !== undefined && inbound.length > 0 && !this.paused) {
      const event = inbound.shift()!;
      if (event === END) handler.onEnd?.();
      else if (Buffer.isBuffer(event)) {
        this.consumed(event.length);
        handler.onData?.(event);
      } else if (event.trailers) handler.onTrailers?.(event.headers);
      else handler.onHeaders?.(event.headers, event.endStream);
      if (this.inbound !== inbound) return; // an error close dropped the rest
    }
    if (inbound !== undefined && inbound.length === 0) this.inbound = undefined;
    if (this.inbound === undefined && this.closePending !== undefined) {
      const { error } = this.closePending;
      this.closePending = undefined;
      handler.onClose?.(error);
    }
  };
}
