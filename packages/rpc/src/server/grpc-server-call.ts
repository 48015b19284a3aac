// One gRPC call on the server side over an HTTP/2 stream (gRPC: PROTOCOL-HTTP2): request
// headers, deadline, (de)compression, messages in and out with backpressure, then trailers,
// or a Trailers-Only response when the call fails before any message was sent.

import http2 from 'node:http2';
import type { DescMethod } from '@bufbuild/protobuf';
import { Code } from '../code.js';
import { type Compression, findCompression, negotiateCompression } from '../compression.js';
import { encodeEnvelope } from '../envelope.js';
import type { HandlerContext } from '../handler-context.js';
import type { CallRequest } from '../interceptor.js';
import { MessageReader } from '../message-reader.js';
import { Metadata } from '../metadata.js';
import { isStreamingRequest } from '../method-types.js';
import { encodeGrpcMessage, encodeStatusDetails, RpcError } from '../rpc-error.js';
import { codecFromGrpcContentType } from '../serialization.js';
import type { MethodSerializers } from '../serializer-cache.js';
import { timeoutFromHeaders } from '../timeout.js';
import { invokeMethod } from './invoke.js';
import type { RegisteredMethod } from './method-router.js';
import type { ServerCore } from './server-core.js';

const { NGHTTP2_NO_ERROR } = http2.constants;

export class GrpcServerCall implements HandlerContext {
  readonly protocol = 'grpc' as const;
  readonly requestHeader: Metadata;
  readonly responseHeader = new Metadata();
  readonly responseTrailer = new Metadata();
  readonly deadline: number | undefined;
  readonly peer: string;
  readonly version: string;
  readonly group: string;
  /** Compression for response messages; a handler may change it before sending. */
  responseCompression: Compression | undefined;

  private registered: RegisteredMethod | undefined;
  private readonly abort = new AbortController();
  private deadlineTimer: NodeJS.Timeout | undefined;
  private headersSent = false;
  private finished = false;
  private readonly contentType: string;

  constructor(
    private readonly core: ServerCore,
    private readonly stream: http2.ServerHttp2Stream,
    private readonly headers: http2.IncomingHttpHeaders,
  ) {
    this.requestHeader = Metadata.fromHttpHeaders(headers);
    this.contentType = (headers['content-type'] as string).split(';')[0]!;
    this.version = (headers['tri-service-version'] as string | undefined) ?? '';
    this.group = (headers['tri-service-group'] as string | undefined) ?? '';
    const socket = stream.session?.socket;
    this.peer = socket ? `${socket.remoteAddress}:${socket.remotePort}` : 'unknown';
    const timeout = timeoutFromHeaders(headers as Record<string, string>);
    this.deadline = timeout !== undefined && !Number.isNaN(timeout) ? Date.now() + timeout : undefined;
  }

  /** The method called; known once the path has been resolved, before any handler runs. */
  get method(): DescMethod {
    if (!this.registered) throw new Error('the method of this call has not been resolved yet');
    return this.registered.method;
  }

  get requestEncoding(): string {
    return (this.headers['grpc-encoding'] as string | undefined) || 'identity';
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  async start(): Promise<void> {
    this.stream.once('close', this.onStreamClose);
    this.stream.on('error', () => {}); // surfaced through 'close' and the abort signal
    try {
      const timeout = timeoutFromHeaders(this.headers as Record<string, string>);
      if (timeout !== undefined && Number.isNaN(timeout)) {
        throw new RpcError(
          Code.INTERNAL,
          'malformed timeout header (grpc-timeout, tri-service-timeout or triple-timeout-ms)',
        );
      }
      const registered = this.core.router.resolve(this.headers[':path'] as string, this.version, this.group);
      this.registered = registered;
      const codec = codecFromGrpcContentType(this.contentType)!;
      const serializers = this.core.serializers(registered.method, codec);
      const requestEncoding = this.headers['grpc-encoding'] as string | undefined;
      const requestCompression = findCompression(this.core.compressions, requestEncoding);
      if (!requestCompression) {
        throw new RpcError(
          Code.UNIMPLEMENTED,
          `unsupported grpc-encoding "${requestEncoding}" (accepted: ${this.core.acceptEncoding})`,
        );
      }
      if (timeout !== undefined) this.startDeadline(timeout);
      const reader = new MessageReader(
        this.core.maxReceiveMessageBytes,
        requestCompression,
        serializers.request.parse,
      );
      const request: CallRequest = isStreamingRequest(registered.method)
        ? { ...this.requestCommon(), stream: true, message: this.readStream(reader) }
        : { ...this.requestCommon(), stream: false, message: await this.readUnary(reader) };
      const response = await invokeMethod(registered, this, this.core.interceptors, request);
      if (response.stream) {
        for await (const message of response.message) {
          if (this.finished) break;
          await this.send(message, serializers);
        }
      } else {
        await this.send(response.message, serializers);
      }
      this.finish(undefined);
    } catch (err) {
      this.finish(RpcError.from(err));
    }
  }

  private requestCommon() {
    return {
      method: this.method,
      header: this.requestHeader,
      signal: this.abort.signal,
      timeoutMs: this.deadline === undefined ? undefined : this.deadline - Date.now(),
    };
  }

  /** Reads the one request message of a unary or server-streaming call. */
  private readUnary(reader: MessageReader<unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const found: Promise<unknown>[] = [];
      const onData = (chunk: Buffer) => {
        try {
          for (const envelope of reader.envelopes(chunk))
            found.push(Promise.resolve(reader.message(envelope)));
        } catch (err) {
          cleanup();
          reject(err);
        }
      };
      const onEnd = () => {
        cleanup();
        try {
          reader.end();
        } catch (err) {
          return reject(err);
        }
        if (found.length !== 1) {
          return reject(
            new RpcError(
              Code.INTERNAL,
              `protocol violation: a unary request carries exactly one message, got ${found.length}`,
            ),
          );
        }
        resolve(found[0]!);
      };
      const onAbort = () => {
        cleanup();
        reject(this.abort.signal.reason);
      };
      const cleanup = () => {
        this.stream.off('data', onData);
        this.stream.off('end', onEnd);
        this.abort.signal.removeEventListener('abort', onAbort);
      };
      this.stream.on('data', onData);
      this.stream.on('end', onEnd);
      this.abort.signal.addEventListener('abort', onAbort);
    });
  }

  /**
   * The request messages of a streaming call. A handler may stop reading early (it failed, or read
   * enough); that must not reach the stream's own iterator, whose return() destroys the HTTP/2 stream
   * and so resets it before the status goes out. So this never returns the inner iterator early.
   */
  private async *readStream(reader: MessageReader<unknown>): AsyncGenerator<unknown> {
    const messages = reader.messages(this.stream);
    try {
      for (let next = await messages.next(); !next.done; next = await messages.next()) yield next.value;
    } catch (err) {
      if (this.abort.signal.aborted) throw this.abort.signal.reason;
      throw RpcError.from(err, Code.INTERNAL);
    }
  }

  private sendHeaders(): void {
    if (this.headersSent) return;
    this.headersSent = true;
    const headers: http2.OutgoingHttpHeaders = {
      ':status': 200,
      'content-type': this.contentType,
      'grpc-accept-encoding': this.core.acceptEncoding,
    };
    if (this.responseCompression) headers['grpc-encoding'] = this.responseCompression.name;
    this.responseHeader.writeTo(headers);
    this.stream.respond(headers, { waitForTrailers: true });
  }

  private async send(message: unknown, serializers: MethodSerializers): Promise<void> {
    if (this.finished || this.stream.destroyed) return;
    const bytes = serializers.response.serialize(message);
    if (bytes.byteLength > this.core.maxSendMessageBytes) {
      throw new RpcError(
        Code.RESOURCE_EXHAUSTED,
        `sent message larger than max (${bytes.byteLength} vs. ${this.core.maxSendMessageBytes})`,
      );
    }
    if (!this.headersSent) {
      if (this.responseCompression === undefined)
        this.responseCompression = this.defaultResponseCompression();
      this.sendHeaders();
    }
    const frame = this.responseCompression
      ? encodeEnvelope(await this.responseCompression.compress(bytes), true)
      : encodeEnvelope(bytes);
    if (!this.stream.write(frame)) await this.drained();
  }

  /** Compresses responses with the request's own encoding when the client accepts it, as gRPC servers do. */
  private defaultResponseCompression(): Compression | undefined {
    return negotiateCompression(
      this.core.compressions,
      this.headers['grpc-encoding'] as string | undefined,
      this.headers['grpc-accept-encoding'] as string | undefined,
    );
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.stream.off('drain', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('close', done);
    });
  }

  /** Ends the call with OK (no error) or the error's status. Runs once; later calls do nothing. */
  private finish(error: RpcError | undefined): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.deadlineTimer);
    if (error && !this.abort.signal.aborted) this.abort.abort(error);
    const stream = this.stream;
    if (stream.destroyed || stream.closed) return;
    const trailers = this.statusTrailers(error);
    if (!this.headersSent) {
      // Trailers-Only: one HEADERS frame with END_STREAM carrying the status.
      this.headersSent = true;
      const headers: http2.OutgoingHttpHeaders = {
        ':status': 200,
        'content-type': this.contentType,
        'grpc-accept-encoding': this.core.acceptEncoding,
      };
      this.responseHeader.writeTo(headers);
      stream.respond(Object.assign(headers, trailers), { endStream: true });
      // The client may still be sending: RST_STREAM NO_ERROR tells it to stop (gRPC: PROTOCOL-HTTP2).
      if (!stream.readableEnded) stream.close(NGHTTP2_NO_ERROR);
    } else {
      stream.once('wantTrailers', () => {
        stream.sendTrailers(trailers);
        // The client may still be sending: RST_STREAM NO_ERROR tells it to stop, but only once the
        // trailers are out. 'wantTrailers' fires while node:http2 is writing frames, and a reset
        // submitted now would overtake the trailers, which the peer then never sees.
        if (!stream.readableEnded) {
          setImmediate(() => {
            if (!stream.destroyed && !stream.readableEnded) stream.close(NGHTTP2_NO_ERROR);
          });
        }
      });
      stream.end();
    }
  }

  private statusTrailers(error: RpcError | undefined): http2.OutgoingHttpHeaders {
    const trailers: http2.OutgoingHttpHeaders = {};
    this.responseTrailer.writeTo(trailers);
    if (!error) {
      trailers['grpc-status'] = '0';
      return trailers;
    }
    error.metadata.writeTo(trailers);
    trailers['grpc-status'] = String(error.code);
    if (error.rawMessage) trailers['grpc-message'] = encodeGrpcMessage(error.rawMessage);
    if (error.details.length > 0) {
      trailers['grpc-status-details-bin'] = Buffer.from(encodeStatusDetails(error)).toString('base64');
    }
    return trailers;
  }

  private startDeadline(timeoutMs: number): void {
    this.deadlineTimer = setTimeout(() => {
      this.finish(new RpcError(Code.DEADLINE_EXCEEDED, 'deadline exceeded'));
    }, timeoutMs);
  }

  private readonly onStreamClose = () => {
    clearTimeout(this.deadlineTimer);
    if (!this.finished) {
      this.finished = true;
      this.abort.abort(new RpcError(Code.CANCELLED, 'call cancelled by the client'));
    }
  };
}
