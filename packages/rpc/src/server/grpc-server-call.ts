// One gRPC call on the server side over an HTTP/2 stream (gRPC: PROTOCOL-HTTP2): request
// headers, deadline, (de)compression, messages in and out with backpressure, then trailers,
// or a Trailers-Only response when the call fails before any message was sent.

import type net from 'node:net';
import type { DescMethod } from '@bufbuild/protobuf';
import { ErrorCode } from '@shoal/http2';
import type { ServerCallTracer } from '../call-tracer.js';
import { Code } from '../code.js';
import { type Compression, findCompression, negotiateCompression } from '../compression.js';
import { encodeEnvelope, envelopeHeaderLength } from '../envelope.js';
import type { CallAddresses, CallSecurity, HandlerContext } from '../handler-context.js';
import type { CallRequest } from '../interceptor.js';
import type { MessageQueue } from '../message-queue.js';
import { MessageReader } from '../message-reader.js';
import { Metadata } from '../metadata.js';
import { isStreamingRequest } from '../method-types.js';
import { frameToSend, serializeToSend } from '../outgoing-message.js';
import { encodeGrpcMessage, encodeStatusDetails, RpcError } from '../rpc-error.js';
import { codecFromGrpcContentType } from '../serialization.js';
import type { MethodSerializers } from '../serializer-cache.js';
import { timeoutFromHeaders } from '../timeout.js';
import type { CallStream, IncomingHeaders, OutgoingHeaders, StreamHandler } from '../wire.js';
import { callAddresses } from './call-addresses.js';
import { callSecurity } from './call-security.js';
import { invokeMethod, ResponseMessages } from './invoke.js';
import { serverRequest } from './lazy-request.js';
import type { RegisteredMethod } from './method-router.js';
import { RequestMessages } from './request-messages.js';
import type { ServerCore } from './server-core.js';

const ignore = () => {};

/** Reads the one request message of a unary or server-streaming call. */
interface UnaryRead {
  reader: MessageReader<unknown>;
  count: number;
  message: unknown;
  resolve(message: unknown): void;
  reject(error: unknown): void;
}

/** The call is its stream's handler: DATA and the end go to the request reader of the moment. */
export class GrpcServerCall implements HandlerContext, StreamHandler {
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
  /** The unary request being read, if it is. */
  private unary: UnaryRead | undefined;
  /** Waiting for the stream to drain (or close). */
  private drainWaiter: (() => void) | undefined;
  /** The request messages of a streaming call: they end with the reason when it is cancelled. */
  private requests: RequestMessages<unknown> | undefined;
  private readonly timeout: number | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private headersSent = false;
  private finished = false;
  private readonly contentType: string;
  /** Stats and tracing hooks of this call, when the server has a tracer factory. */
  private tracer: ServerCallTracer | undefined;

  constructor(
    private readonly core: ServerCore,
    private readonly stream: CallStream,
    private headers: IncomingHeaders,
    /** The connection's socket: the peer and addresses are read from it when asked. */
    private readonly socket: net.Socket | undefined,
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
      const a = callAddresses(this.socket);
      if (a === undefined) return 'unknown'; // the connection is already gone
      this.peerAddress = `${a.remoteIp}:${a.remotePort}`;
    }
    return this.peerAddress;
  }

  get addresses(): CallAddresses | undefined {
    return callAddresses(this.socket);
  }

  get security(): CallSecurity | undefined {
    return callSecurity(this.socket);
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
    const unary = this.unary;
    this.unary = undefined;
    if (unary) {
      discard(unary.message);
      unary.reject(reason);
    }
  }

  // ---- the stream's events ----

  onData(chunk: Buffer): void {
    const unary = this.unary;
    if (unary) {
      try {
        for (const envelope of unary.reader.envelopes(chunk)) {
          // Only the first is decoded: a second one fails the call anyway.
          if (unary.count++ === 0) unary.message = unary.reader.message(envelope);
        }
      } catch (err) {
        this.failUnary(err);
      }
      return;
    }
    this.requests?.onData(chunk);
  }

  onEnd(): void {
    const unary = this.unary;
    if (!unary) {
      this.requests?.onEnd();
      return;
    }
    this.unary = undefined;
    try {
      unary.reader.end();
    } catch (err) {
      discard(unary.message);
      unary.reject(err);
      return;
    }
    if (unary.count !== 1) {
      discard(unary.message);
      unary.reject(
        new RpcError(
          Code.INTERNAL,
          `protocol violation: a unary request carries exactly one message, got ${unary.count}`,
        ),
      );
      return;
    }
    unary.resolve(unary.message); // a compressed message is still a promise here; resolve adopts it
  }

  onDrain(): void {
    const waiter = this.drainWaiter;
    this.drainWaiter = undefined;
    waiter?.();
  }

  onClose(): void {
    clearTimeout(this.deadlineTimer);
    this.onDrain();
    if (!this.finished) {
      this.finished = true;
      this.cancel(new RpcError(Code.CANCELLED, 'call cancelled by the client'));
      this.tracer?.onEnd(Code.CANCELLED);
    }
  }

  private failUnary(err: unknown): void {
    const unary = this.unary;
    if (!unary) return;
    this.unary = undefined;
    discard(unary.message);
    unary.reject(err);
  }

  async start(): Promise<void> {
    this.stream.setHandler(this);
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
      const reader = new MessageReader(
        this.core.maxReceiveMessageBytes,
        requestCompression,
        serializers.request.parse,
        this.tracer,
        serializers.request.parseRange,
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
      // The implementation's responses read directly, each made a message here: one promise per
      // message fewer than through ResponseMessages' own next().
      const direct = messages instanceof ResponseMessages ? messages : undefined;
      const it = direct ? direct.values : messages[Symbol.asyncIterator]();
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
        let message = next.value;
        if (direct) {
          try {
            message = direct.convert(message); // tells the implementation to stop when it throws
          } catch (err) {
            return fail(err);
          }
        }
        let sending: Promise<void> | undefined;
        try {
          sending = this.sendNow(message, serializers);
        } catch (err) {
          return sendFailed(err);
        }
        // Written at once (the usual case): the next message is asked for without a promise hop.
        if (sending === undefined) pull();
        else sending.then(pull, sendFailed);
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
      this.unary = { reader, count: 0, message: undefined, resolve, reject };
    });
  }

  /** The request messages of a client- or bidi-streaming call. */
  private readStream(reader: MessageReader<unknown>): MessageQueue<unknown> {
    const requests = new RequestMessages(this.stream, reader);
    this.requests = requests;
    if (this.cancelReason) requests.fail(this.cancelReason);
    return requests.messages;
  }

  private sendHeaders(): void {
    if (this.headersSent) return;
    this.headersSent = true;
    const encoding = this.responseCompression?.name;
    const block = this.core.responseBlocks.responseHeaders(this.contentType, encoding);
    this.stream.sendHeaders(block, false, this.responseMetadata && metadataFields(this.responseMetadata));
  }

  private async send(message: unknown, serializers: MethodSerializers): Promise<void> {
    const sending = this.sendNow(message, serializers);
    if (sending !== undefined) await sending;
  }

  /**
   * Writes one response message. Returns undefined when it went out at once, or a promise when it
   * must wait (compression, or the stream's buffer is full); throws when it cannot be sent.
   */
  private sendNow(message: unknown, serializers: MethodSerializers): Promise<void> | undefined {
    if (this.finished || this.stream.closed) return undefined;
    if (!this.headersSent && this.responseCompression === undefined) {
      this.responseCompression = this.defaultResponseCompression();
    }
    const compression = this.responseCompression;
    const response = serializers.response;
    const maxBytes = this.core.maxSendMessageBytes;
    if (!compression) {
      const frame = frameToSend(response, message, maxBytes);
      this.sendHeaders();
      if (this.stream.closed) return undefined;
      this.tracer?.onMessageSent(frame.byteLength - envelopeHeaderLength);
      return this.stream.write(frame) ? undefined : this.drained();
    }
    const bytes = serializeToSend(response, message, maxBytes);
    this.sendHeaders();
    return compression.compress(bytes).then((payload) => {
      if (this.stream.closed) return undefined;
      this.tracer?.onMessageSent(payload.byteLength);
      return this.stream.write(encodeEnvelope(payload, true)) ? undefined : this.drained();
    });
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
    if (this.stream.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.drainWaiter = resolve;
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
    if (stream.closed) return;
    const trailers = this.statusTrailers(error);
    if (!this.headersSent) {
      // Trailers-Only: one HEADERS frame with END_STREAM carrying the status.
      this.headersSent = true;
      const block = this.core.responseBlocks.responseHeaders(this.contentType, undefined);
      const fields = this.responseMetadata ? metadataFields(this.responseMetadata) : undefined;
      stream.sendHeaders(block, true, fields ? Object.assign(fields, trailers.fields) : trailers.fields);
    } else if (trailers.fields === undefined) {
      stream.end(this.core.responseBlocks.ok);
    } else {
      stream.end(trailers.fields);
    }
    // The client may still be sending: RST_STREAM NO_ERROR, once the status is out, tells it to
    // stop (gRPC: PROTOCOL-HTTP2, RFC 9113 §8.1).
    if (!stream.remoteEnded) stream.close(ErrorCode.NO_ERROR);
  }

  /** The status as trailer fields; undefined fields for a plain OK (the shared block is sent). */
  private statusTrailers(error: RpcError | undefined): { fields: OutgoingHeaders | undefined } {
    const metadata = this.trailerMetadata;
    if (!error) {
      if (!metadata || metadata.size === 0)
        return { fields: this.headersSent ? undefined : { 'grpc-status': '0' } };
      const fields = metadataFields(metadata);
      fields['grpc-status'] = '0';
      return { fields };
    }
    const fields: OutgoingHeaders = metadata ? metadataFields(metadata) : {};
    error.metadata.writeTo(fields as never);
    fields['grpc-status'] = String(error.code);
    if (error.rawMessage) fields['grpc-message'] = encodeGrpcMessage(error.rawMessage);
    if (error.details.length > 0) {
      fields['grpc-status-details-bin'] = Buffer.from(encodeStatusDetails(error)).toString('base64');
    }
    return { fields };
  }

  private startDeadline(timeoutMs: number): void {
    this.deadlineTimer = setTimeout(() => {
      this.finish(new RpcError(Code.DEADLINE_EXCEEDED, 'deadline exceeded'));
    }, timeoutMs);
  }
}

/** A message promise that nobody will await must not become an unhandled rejection. */
function discard(message: unknown): void {
  if (message instanceof Promise) message.catch(ignore);
}

/** Metadata as header fields (reserved ones left out, `-bin` values base64). */
function metadataFields(metadata: Metadata): OutgoingHeaders {
  return metadata.writeTo({}) as OutgoingHeaders;
}
