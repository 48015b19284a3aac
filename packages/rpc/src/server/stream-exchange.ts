// Triple's HTTP mode over HTTP/2: one request stream seen as an HttpExchange. It handles the
// stream's events: it gathers the body for readAll() and tells its onClose() listener when the
// stream closes (a client that went away cancels the call).

import type net from 'node:net';
import { Code } from '../code.js';
import { RpcError } from '../rpc-error.js';
import type { CallStream, IncomingHeaders, OutgoingHeaders } from '../wire.js';
import { bodyTooLarge, type HttpExchange } from './http-server-call.js';

export class StreamExchange implements HttpExchange {
  readonly method: string;
  readonly path: string;
  private chunks: Buffer[] = [];
  private size = 0;
  private limit = Number.POSITIVE_INFINITY;
  private ended = false;
  private failed: Error | undefined;
  private waiting: { resolve(body: Buffer): void; reject(error: Error): void } | undefined;
  private closeListener: (() => void) | undefined;

  constructor(
    private readonly stream: CallStream,
    readonly headers: IncomingHeaders,
    readonly socket: net.Socket | undefined,
  ) {
    this.method = headers[':method'] as string;
    this.path = headers[':path'] as string;
    stream.setHandler({
      onData: (chunk) => this.onData(chunk),
      onEnd: () => this.onEnd(),
      onClose: () => this.onStreamClose(),
    });
  }

  readAll(limit: number): Promise<Buffer> {
    this.limit = limit;
    if (this.size > limit) this.fail(bodyTooLarge(limit));
    if (this.failed) return Promise.reject(this.failed);
    if (this.ended) return Promise.resolve(this.body());
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  respond(status: number, headers: OutgoingHeaders, content: Uint8Array | string): void {
    const stream = this.stream;
    if (stream.closed) return;
    const body = typeof content === 'string' ? Buffer.from(content) : content;
    stream.sendHeaders({ ...headers, ':status': status, 'content-length': body.byteLength });
    stream.write(body, true);
    // A client still sending is told to stop (RFC 9113 §8.1).
    if (!stream.remoteEnded) stream.close();
  }

  onClose(listener: () => void): void {
    this.closeListener = listener;
  }

  private onStreamClose(): void {
    // A body not yet whole never will be.
    if (!this.ended) {
      this.fail(new RpcError(Code.CANCELLED, 'client closed the connection before the request body ended'));
    }
    this.closeListener?.();
  }

  private onData(chunk: Buffer): void {
    if (this.failed) return;
    this.size += chunk.length;
    if (this.size > this.limit) {
      this.fail(bodyTooLarge(this.limit));
      this.stream.reset();
      return;
    }
    this.chunks.push(chunk);
  }

  private onEnd(): void {
    this.ended = true;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.resolve(this.body());
  }

  private body(): Buffer {
    const chunks = this.chunks;
    this.chunks = [];
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.size);
  }

  private fail(error: Error): void {
    if (this.failed) return;
    this.failed = error;
    this.chunks = [];
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(error);
  }
}
