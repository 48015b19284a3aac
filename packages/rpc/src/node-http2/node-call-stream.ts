// A node:http2 stream seen as a CallStream, for the opt-in `transport: 'node-http2'`: node's
// events become the handler's calls, and its ways of sending become CallStream's.
// - Response headers wait for the first write or the end, so that node is told at once whether
//   trailers follow (waitForTrailers) or the body ends the stream.
// - Trailers go out from 'wantTrailers'. A reset asked for after them (close()) waits a turn:
//   'wantTrailers' fires while node writes frames, and a reset submitted then would overtake the
//   trailers, which the peer would never see.
// - node does not say who reset a stream, so resets of ours are remembered.
// - node emits a client's 'response' on the next tick but 'data' at once: when HEADERS and DATA
//   arrive in one read (likelier over TLS, whose records carry both), DATA would reach the call
//   before its headers, and the call would fail INTERNAL. Such DATA waits for the headers here.

import type http2 from 'node:http2';
import { ErrorCode, Http2Error } from '@shoal/http2';
import type { CallStream, HeaderBlock, IncomingHeaders, OutgoingHeaders, StreamHandler } from '../wire.js';

const NGHTTP2_NO_ERROR = ErrorCode.NO_ERROR;
const NGHTTP2_CANCEL = ErrorCode.CANCEL;
/** END_STREAM in the flags of node's 'response' event (RFC 9113 §6.2). */
const NGHTTP2_FLAG_END_STREAM = 0x1;

export class NodeCallStream implements CallStream {
  private handler: StreamHandler | undefined;
  private listening = false;
  private pendingHeaders: OutgoingHeaders | undefined;
  private trailers: OutgoingHeaders | undefined;
  private resetAfterTrailers: number | undefined;
  private resetByUs = false;
  private error: Error | undefined;
  private remoteDone = false;
  private sentEnd = false;
  headersSent: boolean;

  constructor(
    readonly stream: http2.ClientHttp2Stream | http2.ServerHttp2Stream,
    private readonly client: boolean,
    /** A server stream's connection: each DATA written counts as a frame sent (gRFC A8's strikes). */
    private readonly connection?: { framesSent: number },
  ) {
    this.headersSent = client;
    stream.on('error', (err) => {
      this.error ??= err;
    });
  }

  get closed(): boolean {
    return this.stream.closed || this.stream.destroyed;
  }

  get localEnded(): boolean {
    return this.sentEnd || this.stream.writableEnded;
  }

  get remoteEnded(): boolean {
    return this.remoteDone || this.stream.readableEnded;
  }

  setHandler(handler: StreamHandler): void {
    this.handler = handler;
    if (this.listening) return;
    this.listening = true;
    const stream = this.stream;
    // Client: DATA that came before node emitted the response headers (undefined once they have).
    let early: Buffer[] | undefined = this.client ? [] : undefined;
    if (this.client) {
      stream.on('response', (headers: http2.IncomingHttpHeaders, flags: number) => {
        const held = early;
        early = undefined;
        this.handler?.onHeaders?.(incoming(headers), (flags & NGHTTP2_FLAG_END_STREAM) !== 0);
        for (const chunk of held ?? []) this.handler?.onData?.(chunk);
      });
    }
    stream.on('data', (chunk: Buffer) => {
      if (early) early.push(chunk);
      else this.handler?.onData?.(chunk);
    });
    stream.on('trailers', (trailers: http2.IncomingHttpHeaders) =>
      this.handler?.onTrailers?.(incoming(trailers)),
    );
    stream.on('end', () => {
      this.remoteDone = true;
      this.handler?.onEnd?.();
    });
    stream.on('drain', () => this.handler?.onDrain?.());
    stream.on('close', () => this.handler?.onClose?.(this.closeError()));
  }

  pause(): void {
    this.stream.pause();
  }

  resume(): void {
    this.stream.resume();
  }

  sendHeaders(headers: HeaderBlock | OutgoingHeaders, endStream = false, extra?: OutgoingHeaders): void {
    if (this.closed) return;
    this.headersSent = true;
    const all = merge(headers, extra);
    if (endStream) {
      this.sentEnd = true;
      (this.stream as http2.ServerHttp2Stream).respond(all as http2.OutgoingHttpHeaders, { endStream: true });
    } else this.pendingHeaders = all;
  }

  write(data: Uint8Array, endStream = false): boolean {
    if (this.closed) return false;
    if (endStream) {
      this.respond(false);
      this.sentEnd = true;
      this.stream.end(data);
      return true;
    }
    this.respond(true);
    if (this.connection) this.connection.framesSent++;
    return this.stream.write(data);
  }

  end(trailers?: HeaderBlock | OutgoingHeaders, extra?: OutgoingHeaders): void {
    if (this.closed || this.sentEnd) return;
    this.sentEnd = true;
    if (!trailers) {
      this.respond(false);
      this.stream.end();
      return;
    }
    this.trailers = merge(trailers, extra);
    if (this.client) throw new Error('node-http2 transport: clients send no trailers');
    const stream = this.stream as http2.ServerHttp2Stream;
    this.respond(true);
    stream.once('wantTrailers', () => {
      stream.sendTrailers(this.trailers as http2.OutgoingHttpHeaders);
      const code = this.resetAfterTrailers;
      if (code === undefined) return;
      setImmediate(() => {
        if (!stream.destroyed && !stream.readableEnded) this.reset(code);
      });
    });
    stream.end();
  }

  close(code: number = NGHTTP2_NO_ERROR): void {
    if (this.closed) return;
    if (this.trailers !== undefined) {
      this.resetAfterTrailers = code;
      return;
    }
    if (!(this.localEnded && this.remoteEnded)) this.reset(code);
  }

  reset(code: number = NGHTTP2_CANCEL): void {
    if (this.stream.destroyed) return;
    this.resetByUs = true;
    this.stream.close(code);
  }

  /** Server: sends the held response headers, saying whether trailers will follow. */
  private respond(trailersFollow: boolean): void {
    const headers = this.pendingHeaders;
    if (headers === undefined) return;
    this.pendingHeaders = undefined;
    (this.stream as http2.ServerHttp2Stream).respond(headers as http2.OutgoingHttpHeaders, {
      waitForTrailers: trailersFollow,
    });
  }

  /** Why the stream closed, as @shoal/http2 would say it. */
  private closeError(): Http2Error | undefined {
    const { stream, error } = this;
    // A stream cancelled because its session failed carries the session's error as cause.
    const cause = error?.cause instanceof Error ? error.cause : error;
    const sysCode = (cause as NodeJS.ErrnoException | undefined)?.code;
    if (cause && sysCode !== 'ERR_HTTP2_STREAM_ERROR') {
      return new Http2Error(NGHTTP2_CANCEL, `connection closed: ${cause.message}`, 'connection', false, {
        cause,
      });
    }
    const rst = stream.rstCode;
    // node:http2 marks the streams of a connection that went away CANCEL: that is no reset by the
    // peer but a lost connection (a TLS server that got plaintext closes it, for one).
    const lost = rst === NGHTTP2_CANCEL && !this.resetByUs && (stream.session?.destroyed ?? true);
    if (rst !== undefined && rst !== NGHTTP2_NO_ERROR && !lost) {
      return new Http2Error(
        rst,
        this.resetByUs ? 'stream reset by us' : 'stream reset by the peer',
        'stream',
        this.resetByUs,
      );
    }
    if (!this.remoteEnded && !this.resetByUs) {
      return new Http2Error(NGHTTP2_CANCEL, 'connection closed', 'connection', false);
    }
    return undefined;
  }
}

/** A HeaderBlock's fields (node encodes every block itself) with the extras. */
export function merge(
  headers: HeaderBlock | OutgoingHeaders,
  extra: OutgoingHeaders | undefined,
): OutgoingHeaders {
  const base =
    (headers as HeaderBlock).bytes instanceof Buffer
      ? (headers as HeaderBlock).headers
      : (headers as OutgoingHeaders);
  return extra ? { ...base, ...extra } : { ...base };
}

/** node's header objects, with `:status` as @shoal/http2 gives it (a string). */
function incoming(headers: http2.IncomingHttpHeaders): IncomingHeaders {
  const status = headers[':status'];
  if (typeof status === 'number') (headers as Record<string, unknown>)[':status'] = String(status);
  return headers as IncomingHeaders;
}
