// One gRPC call from the client side over an HTTP/2 stream (gRPC: PROTOCOL-HTTP2): request
// headers with deadline and Triple headers, messages out with backpressure, then response
// headers, messages and the status from trailers (or a Trailers-Only response). The request
// headers a method always sends are one HeaderBlock, encoded once by the transport; a call adds
// only what is its own (deadline, compression, Triple version and group, metadata).

import { ErrorCode, type Http2Error } from '@shoal/http2';
import type { ClientAttemptTracer } from '../call-tracer.js';
import { Code, codeFromHttpStatus, parseCode } from '../code.js';
import { type Compression, findCompression } from '../compression.js';
import { encodeEnvelope, envelopeHeaderLength } from '../envelope.js';
import type { CallRequest, CallResponse } from '../interceptor.js';
import { MessageQueue } from '../message-queue.js';
import { MessageReader } from '../message-reader.js';
import { Metadata } from '../metadata.js';
import { isStreamingResponse } from '../method-types.js';
import { frameToSend, serializeToSend } from '../outgoing-message.js';
import { codeFromRstCode, decodeGrpcMessage, decodeStatusDetails, RpcError } from '../rpc-error.js';
import { codecFromGrpcContentType, type Serialization } from '../serialization.js';
import { formatGrpcTimeout } from '../timeout.js';
import type { CallStream, HeaderBlock, IncomingHeaders, OutgoingHeaders, StreamHandler } from '../wire.js';
import { cannotAbort } from './never-aborted.js';
import type { SessionPool } from './session-pool.js';

export interface GrpcCallSettings {
  pool: SessionPool;
  /** `host:port` of the server. */
  address: string;
  /**
   * What every request of the method sends: :method, :scheme, :path, :authority,
   * content-type, te, user-agent, grpc-accept-encoding.
   */
  requestHeaders: HeaderBlock;
  compressions: readonly Compression[];
  /** Compression for request messages, or undefined for identity. */
  requestCompression: Compression | undefined;
  maxReceiveMessageBytes: number;
  maxSendMessageBytes: number;
  version?: string;
  group?: string;
  serializers: { request: Serialization<unknown>; response: Serialization<unknown> };
  onHeader?: (headers: Metadata) => void;
  onTrailer?: (trailers: Metadata) => void;
  /** Told the sizes of the messages and the attempt's status (gRFC A66). */
  attempt?: ClientAttemptTracer | undefined;
}

/** Starts the call; resolves with the response (for unary: once the whole call is over). */
export function grpcCall(settings: GrpcCallSettings, request: CallRequest): Promise<CallResponse> {
  return new Promise((resolve, reject) => new ClientCall(settings, request, resolve, reject).start());
}

class ClientCall implements StreamHandler {
  private stream: CallStream | undefined;
  private release: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private header: Metadata | undefined; // set by the response headers
  private readonly trailer = new Metadata();
  private reader: MessageReader<unknown> | undefined;
  private messages: unknown[] = [];
  private queue: MessageQueue<unknown> | undefined;
  private decoding: Promise<void> | undefined;
  private drainWaiter: (() => void) | undefined;
  private settled = false;
  private closed = false;
  private attemptEnded = false;
  private status: RpcError | null | undefined; // null: OK

  constructor(
    private readonly s: GrpcCallSettings,
    private readonly request: CallRequest,
    private readonly resolve: (r: CallResponse) => void,
    private readonly reject: (e: unknown) => void,
  ) {}

  start(): void {
    const { request, s } = this;
    if (request.signal.aborted) {
      this.fail(abortError(request.signal));
      return;
    }
    // Only what this call adds to the method's block; most calls add nothing.
    let extra: OutgoingHeaders | undefined;
    if (s.requestCompression) extra = { 'grpc-encoding': s.requestCompression.name };
    if (request.timeoutMs !== undefined) {
      if (request.timeoutMs <= 0) {
        this.fail(new RpcError(Code.DEADLINE_EXCEEDED, 'deadline exceeded before the call started'));
        return;
      }
      extra ??= {};
      extra['grpc-timeout'] = formatGrpcTimeout(request.timeoutMs);
      extra['tri-service-timeout'] = String(Math.ceil(request.timeoutMs));
      this.timer = setTimeout(
        () =>
          this.cancel(new RpcError(Code.DEADLINE_EXCEEDED, `deadline exceeded after ${request.timeoutMs}ms`)),
        request.timeoutMs,
      );
    }
    if (s.version) (extra ??= {})['tri-service-version'] = s.version;
    if (s.group) (extra ??= {})['tri-service-group'] = s.group;
    if (!request.header.isEmpty) {
      // Only constant metadata (Istio's metadata exchange): its headers go out as they are.
      const constant = extra === undefined ? request.header.constantHeaders : undefined;
      if (constant !== undefined) extra = constant;
      else request.header.writeTo((extra ??= {}) as never);
    }
    let stream: CallStream;
    try {
      const acquired = s.pool.acquire(s.address);
      this.release = acquired.release;
      stream = acquired.session.request(s.requestHeaders, { extra });
    } catch (err) {
      this.release?.();
      this.release = undefined;
      clearTimeout(this.timer);
      this.fail(RpcError.from(err, Code.UNAVAILABLE));
      return;
    }
    this.stream = stream;
    if (!cannotAbort(request.signal)) request.signal.addEventListener('abort', this.onAbort, { once: true });
    stream.setHandler(this);
    if (request.stream) void this.pump(request.message);
    else this.writeAndEnd(request.message);
  }

  private writeAndEnd(message: unknown): void {
    try {
      const frame = this.frame(message);
      if (!(frame instanceof Promise)) {
        this.stream!.write(frame, true);
        return;
      }
      frame.then(
        (f) => {
          if (!this.stream!.closed) this.stream!.write(f, true);
        },
        (err) => this.cancel(RpcError.from(err, Code.INTERNAL)),
      );
    } catch (err) {
      this.cancel(RpcError.from(err, Code.INTERNAL));
    }
  }

  /** Frames one request message; compressing makes it asynchronous. */
  private frame(message: unknown): Buffer | Promise<Buffer> {
    const serialization = this.s.serializers.request;
    const compression = this.s.requestCompression;
    const attempt = this.s.attempt;
    if (!compression) {
      const frame = frameToSend(serialization, message, this.s.maxSendMessageBytes);
      attempt?.onMessageSent(frame.byteLength - envelopeHeaderLength);
      return frame;
    }
    const bytes = serializeToSend(serialization, message, this.s.maxSendMessageBytes);
    return compression.compress(bytes).then((compressed) => {
      attempt?.onMessageSent(compressed.byteLength);
      return encodeEnvelope(compressed, true);
    });
  }

  private async pump(messages: AsyncIterable<unknown>): Promise<void> {
    const stream = this.stream!;
    try {
      for await (const message of messages) {
        // Not `settled`: a bidi call settles on response headers and keeps sending after.
        if (stream.closed || this.status !== undefined) return;
        const framed = this.frame(message);
        const frame = framed instanceof Promise ? await framed : framed;
        if (stream.closed) return;
        if (!stream.write(frame)) {
          await new Promise<void>((r) => {
            this.drainWaiter = r;
          });
        }
      }
      if (!stream.closed) stream.end();
    } catch (err) {
      this.cancel(RpcError.from(err, Code.INTERNAL));
    }
  }

  // ---- the stream's events ----

  onDrain(): void {
    const waiter = this.drainWaiter;
    this.drainWaiter = undefined;
    waiter?.();
  }

  onHeaders(h: IncomingHeaders): void {
    const status = Number(h[':status']);
    const contentType = h['content-type'] as string | undefined;
    if (h['grpc-status'] !== undefined) {
      // Trailers-Only: headers and status in one frame.
      this.header = Metadata.fromHttpHeaders(h as never);
      this.s.onHeader?.(this.header);
      this.s.attempt?.onHeader?.(this.header);
      this.onTrailers(h);
      return;
    }
    if (status !== 200) {
      this.cancel(
        new RpcError(codeFromHttpStatus(status), `unexpected HTTP status ${status} from ${this.s.address}`),
      );
      return;
    }
    if (!codecFromGrpcContentType(contentType)) {
      this.cancel(
        new RpcError(Code.UNKNOWN, `unexpected content-type "${contentType ?? ''}" from ${this.s.address}`),
      );
      return;
    }
    const encoding = h['grpc-encoding'] as string | undefined;
    const compression = findCompression(this.s.compressions, encoding);
    if (!compression) {
      this.cancel(new RpcError(Code.INTERNAL, `server used unsupported grpc-encoding "${encoding}"`));
      return;
    }
    this.header = Metadata.fromHttpHeaders(h as never);
    this.reader = new MessageReader(
      this.s.maxReceiveMessageBytes,
      compression,
      this.s.serializers.response.parse,
      this.s.attempt,
      this.s.serializers.response.parseRange,
    );
    this.s.onHeader?.(this.header);
    this.s.attempt?.onHeader?.(this.header);
    if (isStreamingResponse(this.request.method)) {
      const stream = this.stream!;
      this.queue = new MessageQueue(
        {
          pause: () => stream.pause(),
          resume: () => stream.resume(),
          abandoned: () =>
            this.cancel(new RpcError(Code.CANCELLED, 'response stream abandoned by the caller')),
        },
        32,
      );
      this.settle();
      this.resolve({
        stream: true,
        header: this.header ?? new Metadata(),
        message: this.queue,
        trailer: this.trailer,
      });
    }
  }

  onData(chunk: Buffer): void {
    if (!this.reader) {
      this.cancel(new RpcError(Code.INTERNAL, 'received data before response headers'));
      return;
    }
    try {
      this.reader.each(chunk, this.onMessage);
    } catch (err) {
      this.cancel(RpcError.from(err, Code.INTERNAL));
    }
  }

  /** One message read: delivered now, or (compressed) after it and those before it decode. */
  private readonly onMessage = (decoded: unknown): void => {
    if (this.decoding === undefined && !(decoded instanceof Promise)) {
      this.deliver(decoded);
      return;
    }
    // A compressed message decodes asynchronously; later ones wait for it to keep order.
    const chain: Promise<void> = (this.decoding ?? Promise.resolve())
      .then(() => decoded)
      .then((m) => this.deliver(m));
    this.decoding = chain;
    chain.then(
      () => {
        if (this.decoding === chain) this.decoding = undefined;
      },
      (err) => this.cancel(RpcError.from(err, Code.INTERNAL)),
    );
  };

  private deliver(message: unknown): void {
    if (this.queue) this.queue.push(message);
    else this.messages.push(message);
  }

  onTrailers(h: IncomingHeaders): void {
    if (this.status !== undefined) return;
    Metadata.fromHttpHeaders(h as never, this.trailer);
    const code = parseCode(h['grpc-status'] as string | undefined);
    if (code === undefined) {
      this.status = new RpcError(Code.INTERNAL, 'server closed the stream without a grpc-status', {
        metadata: this.trailer,
      });
    } else if (code === Code.OK) {
      this.status = null;
    } else {
      const raw = h['grpc-message'] as string | undefined;
      const detailsBin = h['grpc-status-details-bin'] as string | undefined;
      const details = detailsBin ? decodeStatusDetails(Buffer.from(detailsBin, 'base64')).details : [];
      this.status = new RpcError(code, raw ? decodeGrpcMessage(raw) : '', {
        metadata: this.trailer,
        details,
      });
    }
    // The call is over once its status is in. If we are still sending, close our side now: the
    // server may never reset the stream, and the call must not wait for requests nobody reads.
    const stream = this.stream;
    if (stream && !stream.localEnded && !stream.closed) stream.close(ErrorCode.NO_ERROR);
    this.onDrain();
  }

  onClose(error?: Http2Error): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    if (!cannotAbort(this.request.signal)) this.request.signal.removeEventListener('abort', this.onAbort);
    this.release?.();
    this.release = undefined;
    this.onDrain();
    let status = this.status;
    if (status === undefined) status = this.closedWithoutStatus(error);
    if (status === null) {
      try {
        this.reader?.end();
      } catch (err) {
        status = RpcError.from(err, Code.INTERNAL);
      }
    }
    // Completes now unless a compressed message is still being decoded (then after it).
    if (this.decoding === undefined) {
      this.complete(status);
      return;
    }
    const finalStatus = status;
    this.decoding.then(
      () => this.complete(finalStatus),
      (err) => this.complete(RpcError.from(err, Code.INTERNAL)),
    );
  }

  /** The stream closed before trailers: a connection failure (UNAVAILABLE) or a reset by the peer. */
  private closedWithoutStatus(error: Http2Error | undefined): RpcError {
    if (error?.scope === 'stream' && !error.local) {
      const unprocessed = error.code === ErrorCode.REFUSED_STREAM;
      return new RpcError(
        codeFromRstCode(error.code),
        unprocessed
          ? `${this.s.address} did not process the call: ${error.message}`
          : `stream reset by ${this.s.address} (RST_STREAM code ${error.code})`,
      );
    }
    // A stream failed with its connection carries the socket's (or keepalive's) error as cause.
    const cause = error?.cause;
    if (cause instanceof Error) {
      const mapped = RpcError.from(cause, Code.UNAVAILABLE);
      return new RpcError(mapped.code, `${this.s.address}: ${mapped.rawMessage}`, { cause });
    }
    const why = error ? `: ${error.message}` : '';
    return new RpcError(
      Code.UNAVAILABLE,
      `connection to ${this.s.address} closed before the call ended${why}`,
    );
  }

  private complete(status: RpcError | null): void {
    this.s.onTrailer?.(this.trailer);
    this.endAttempt(status === null ? Code.OK : status.code);
    if (this.queue) {
      if (status) this.queue.fail(status);
      else this.queue.end();
      return;
    }
    if (status) {
      this.fail(status);
      return;
    }
    if (isStreamingResponse(this.request.method)) {
      // Trailers-Only OK: a stream with no messages.
      this.settle();
      this.resolve({
        stream: true,
        header: this.header ?? new Metadata(),
        message: emptyStream(),
        trailer: this.trailer,
      });
      return;
    }
    if (this.messages.length !== 1) {
      this.fail(
        new RpcError(
          Code.UNIMPLEMENTED,
          `protocol violation: expected one response message, got ${this.messages.length}`,
        ),
      );
      return;
    }
    this.settle();
    this.resolve({
      stream: false,
      header: this.header ?? new Metadata(),
      message: this.messages[0],
      trailer: this.trailer,
    });
  }

  private readonly onAbort = () => this.cancel(abortError(this.request.signal));

  /** Ends the call from our side with the given status, resetting the stream. */
  private cancel(status: RpcError): void {
    if (this.status === undefined || this.status === null) this.status = status;
    const stream = this.stream;
    if (stream && !stream.closed) {
      stream.reset(ErrorCode.CANCEL);
      // The call is over now. node:http2 does not always emit 'close' for a stream reset right
      // after it opened (seen with cancel-after-begin), so the call ends here, not on that event.
      this.onClose();
    } else if (!stream) this.fail(status);
  }

  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    return true;
  }

  private fail(error: unknown): void {
    clearTimeout(this.timer);
    this.endAttempt(RpcError.from(error).code);
    if (this.settle()) this.reject(error);
  }

  /** Tells the attempt tracer the status, once. */
  private endAttempt(code: Code): void {
    const attempt = this.s.attempt;
    if (attempt === undefined || this.attemptEnded) return;
    this.attemptEnded = true;
    attempt.onEnd(code);
  }
}

function abortError(signal: AbortSignal): RpcError {
  const reason = signal.reason;
  if (reason instanceof RpcError) return reason;
  return new RpcError(Code.CANCELLED, reason instanceof Error ? reason.message : 'call cancelled', {
    cause: reason,
  });
}

async function* emptyStream(): AsyncGenerator<unknown> {}
