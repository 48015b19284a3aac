// One gRPC call on the server side over an HTTP/2 stream (gRPC: PROTOCOL-HTTP2): request
// headers, deadline, (de)compression, messages in and out with backpressure, then trailers,
// or a Trailers-Only response when the call fails before any message was sent.

import http2 from 'node:http2';
import type { DescMethod } from '@bufbuild/protobuf';
import type { ServerCallTracer } from '../call-tracer.js';
import { Code } from '../code.js';
import { type Compression, findCompression, negotiateCompression } from '../compression.js';
import { encodeEnvelope } from '../envelope.js';
import type { CallAddresses, CallSecurity, HandlerContext } from '../handler-context.js';
import type { CallRequest } from '../interceptor.js';
import type { MessageQueue } from '../message-queue.js';
import { MessageReader } from '../message-reader.js';
import { Metadata } from '../metadata.js';
import { isStreamingRequest } from '../method-types.js';
import { encodeGrpcMessage, encodeStatusDetails, RpcError } from '../rpc-error.js';
import { codecFromGrpcContentType } from '../serialization.js';
import type { MethodSerializers } from '../serializer-cache.js';
import { timeoutFromHeaders } from '../timeout.js';
import { callAddresses } from './call-addresses.js';
import { callSecurity } from './call-security.js';
import { invokeMethod } from './invoke.js';
import { serverRequest } from './lazy-request.js';
import type { RegisteredMethod } from './method-router.js';
import { readRequestMessages } from './request-messages.js';
import type { ServerCore } from './server-core.js';

const { NGHTTP2_NO_ERROR } = http2.constants;

const ignore = () => {};

export class GrpcServerCall implements HandlerContext {
  readonly protocol = 'grpc' as const;
  readonly deadline: number | undefined;
  readonly version: string;
  readonly group: string;
  /** Compression for response messages; a handler may change it before sending. */
  responseCompression: Compression | undefined;

  private registered: RegisteredMethod | undefined;
  // Metadata, the peer and the abort signal are built on first use: most calls never read them,
  // and building them for every call was a large share of the server's time per call.
  private requestMetadata: Metadata | undefined;
  private responseMetadata: Metadata | undefined;
  private trailerMetadata: Metadata | undefined;
  private peerAddress: string | undefined;
  private abortController: AbortController | undefined;
  /** Why the call was cancelled (client gone, deadline, failure); the signal reports it. */
  private cancelReason: RpcError | undefined;
  /** Runs once if the call is cancelled while the unary request is still being read. */
  private onCancel: (() => void) | undefined;
  /** The request messages of a streaming call: they end with the reason when it is cancelled. */
  private requests: MessageQueue<unknown> | undefined;
  private readonly timeout: number | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private headersSent = false;
  private finished = false;
  private readonly contentType: string;
  /** Stats and tracing hooks of this call, when the server has a tracer factory. */
  private tracer: ServerCallTracer | undefined;

  constructor(
    private readonly core: ServerCore,
    private readonly stream: http2.ServerHttp2Stream,
    private headers: http2.IncomingHttpHeaders,
  ) {
    const contentType = headers['content-type'] as string;
    const semicolon = contentType.indexOf(';');
    this.contentType = semicolon < 0 ? contentType : contentType.slice(0, semicolon);
    this.version = (headers['tri-service-version'] as string | undefined) ?? '';
    this.group = (headers['tri-service-group'] as string | undefined) ?? '';
    const timeout = timeoutFromHeaders(headers as Record<string, string>);
    this.timeout = timeout;
    this.deadline = timeout !== undefined && !Number.isNaN(timeout) ? Date.now() + timeout : undefined;
  }

  get requestHeader(): Metadata {
    this.requestMetadata ??= Metadata.fromHttpHeaders(this.headers);
    return this.requestMetadata;
  }

  get responseHeader(): Metadata {
    this.responseMetadata ??= new Metadata();
    return this.responseMetadata;
  }

  get responseTrailer(): Metadata {
    this.trailerMetadata ??= new Metadata();
    return this.trailerMetadata;
  }

  get peer(): string {
    if (this.peerAddress === undefined) {
      try {
        const socket = this.stream.session?.socket;
        this.peerAddress = socket ? `${socket.remoteAddress}:${socket.remotePort}` : 'unknown';
      } catch {
        return 'unknown'; // the connection is already gone
      }
    }
    return this.peerAddress;
  }

  get addresses(): CallAddresses | undefined {
    return callAddresses(this.stream.session?.socket);
  }

  get security(): CallSecurity | undefined {
    return callSecurity(this.stream.session?.socket);
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
    if (!this.abortController) {
      this.abortController = new AbortController();
      if (this.cancelReason) this.abortController.abort(this.cancelReason);
    }
    return this.abortController.signal;
  }

  /** Cancels the call once: aborts the signal (if anyone asked for it) and stops a unary read. */
  private cancel(reason: RpcError): void {
    if (this.cancelReason) return;
    this.cancelReason = reason;
    this.abortController?.abort(reason);
    this.requests?.fail(reason);
    const onCancel = this.onCancel;
    this.onCancel = undefined;
    onCancel?.();
  }

  async start(): Promise<void> {
    // 'close' fires once: on() spares the wrapper that once() keeps for the stream's whole life.
    this.stream.on('close', this.onStreamClose);
    this.stream.on('error', ignore); // surfaced through 'close' and the abort signal
    const path = this.headers[':path'] as string;
    this.tracer = this.core.callTracer?.(path, this, this.core.router.has(path));
    try {
      const timeout = this.timeout;
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
      const tracer = this.tracer;
      const reader = new MessageReader(
        this.core.maxReceiveMessageBytes,
        requestCompression,
        serializers.request.parse,
        tracer && ((n) => tracer.onMessageReceived(n)),
      );
      const request = isStreamingRequest(registered.method)
        ? this.request(true, this.readStream(reader))
        : this.request(false, await this.readUnary(reader));
      const response = await invokeMethod(registered, this, this.core.interceptors, request);
      // Not awaited here: a stream may live for hours, and this frame (the request, the
      // response, everything resolved above) would be kept all that time.
      if (response.stream) return this.sendStream(response.message as AsyncIterable<unknown>, serializers);
      await this.send(response.message, serializers);
      this.finish(undefined);
    } catch (err) {
      this.finish(RpcError.from(err));
    }
  }

  /**
   * Sends every response of a streaming call, then the status; resolves when done, never rejects.
   * Callbacks rather than an async function: a suspended frame keeps the last message it handled
   * in its registers for as long as the stream waits for the next one.
   */
  private sendStream(messages: AsyncIterable<unknown>, serializers: MethodSerializers): Promise<void> {
    // The request headers stay for the call's life (ctx.requestHeader). node:http2's object is in
    // dictionary mode; a plain copy has a shape V8 shares between streams and is a fraction of
    // its size, which counts when a server holds thousands of long-lived streams.
    this.headers = { ...this.headers };
    return new Promise<void>((resolve) => {
      const it = messages[Symbol.asyncIterator]();
      const end = (error: RpcError | undefined) => {
        this.finish(error);
        resolve();
      };
      const fail = (err: unknown) => end(RpcError.from(err));
      // As for-await does when its body throws: the implementation's iterator is told.
      const sendFailed = (err: unknown) => {
        void Promise.resolve(it.return?.()).catch(ignore);
        fail(err);
      };
      const pull = () => {
        try {
          it.next().then(onNext, fail);
        } catch (err) {
          fail(err);
        }
      };
      const onNext = (next: IteratorResult<unknown>) => {
        if (next.done) return end(undefined);
        if (this.finished) {
          Promise.resolve(it.return?.()).then(() => end(undefined), fail);
          return;
        }
        this.send(next.value, serializers).then(pull, sendFailed);
      };
      pull();
    });
  }

  private request(stream: boolean, message: unknown): CallRequest {
    const timeoutMs = this.deadline === undefined ? undefined : this.deadline - Date.now();
    return serverRequest(this, this.core.interceptors.length > 0, stream, message, timeoutMs);
  }

  /** Reads the one request message of a unary or server-streaming call. */
  private readUnary(reader: MessageReader<unknown>): Promise<unknown> {
    if (this.cancelReason) return Promise.reject(this.cancelReason);
    return new Promise((resolve, reject) => {
      let count = 0;
      let message: unknown;
      const fail = (err: unknown) => {
        stop();
        discard(message);
        reject(err);
      };
      const onData = (chunk: Buffer) => {
        try {
          for (const envelope of reader.envelopes(chunk)) {
            // Only the first is decoded: a second one fails the call anyway.
            if (count++ === 0) message = reader.message(envelope);
          }
        } catch (err) {
          fail(err);
        }
      };
      const onEnd = () => {
        this.onCancel = undefined; // the stream is done: its listeners need no removal
        try {
          reader.end();
        } catch (err) {
          return fail(err);
        }
        if (count !== 1) {
          return fail(
            new RpcError(
              Code.INTERNAL,
              `protocol violation: a unary request carries exactly one message, got ${count}`,
            ),
          );
        }
        resolve(message); // a compressed message is still a promise here; resolve adopts it
      };
      const stop = () => {
        this.stream.off('data', onData);
        this.stream.off('end', onEnd);
        this.onCancel = undefined;
      };
      this.onCancel = () => fail(this.cancelReason);
      this.stream.on('data', onData);
      this.stream.on('end', onEnd);
    });
  }

  /** The request messages of a client- or bidi-streaming call. */
  private readStream(reader: MessageReader<unknown>): MessageQueue<unknown> {
    const requests = readRequestMessages(this.stream, reader);
    this.requests = requests;
    if (this.cancelReason) requests.fail(this.cancelReason);
    return requests;
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
    this.responseMetadata?.writeTo(headers);
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
    const payload = this.responseCompression ? await this.responseCompression.compress(bytes) : bytes;
    this.tracer?.onMessageSent(payload.byteLength);
    const frame = encodeEnvelope(payload, this.responseCompression !== undefined);
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
    if (error) this.cancel(error);
    this.tracer?.onEnd(error ? error.code : Code.OK);
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
      this.responseMetadata?.writeTo(headers);
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
    this.trailerMetadata?.writeTo(trailers);
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
      this.cancel(new RpcError(Code.CANCELLED, 'call cancelled by the client'));
      this.tracer?.onEnd(Code.CANCELLED);
    }
  };
}

/** A message promise that nobody will await must not become an unhandled rejection. */
function discard(message: unknown): void {
  if (message instanceof Promise) message.catch(ignore);
}
