// What a handler sees of a call in Triple's HTTP mode (HandlerContext). Metadata, the abort
// signal and the peer are built on first use: most unary calls never read them, and an AbortController plus
// three Metadata maps per call were a large share of the HTTP mode's time per call.

import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type net from 'node:net';
import type { DescMethod } from '@bufbuild/protobuf';
import type { CallAddresses, CallSecurity, HandlerContext } from '../handler-context.js';
import { Metadata } from '../metadata.js';
import type { RpcError } from '../rpc-error.js';
import { callAddresses } from './call-addresses.js';
import { callSecurity } from './call-security.js';

export class HttpCallContext implements HandlerContext {
  readonly protocol = 'http' as const;
  private resolved: DescMethod | undefined;
  private requestMetadata: Metadata | undefined;
  private responseMetadata: Metadata | undefined;
  private trailerMetadata: Metadata | undefined;
  private controller: AbortController | undefined;
  private cancelReason: RpcError | undefined;
  /** Set once the route is known. */
  version = '';
  group = '';
  deadline: number | undefined;

  constructor(
    private readonly headers: IncomingHttpHeaders,
    /** The connection's socket: the peer and addresses are read from it when asked. */
    private readonly socket: net.Socket | undefined,
  ) {}

  get peer(): string {
    const a = this.addresses;
    return a ? `${a.remoteIp}:${a.remotePort}` : 'unknown';
  }

  get addresses(): CallAddresses | undefined {
    return callAddresses(this.socket);
  }

  get security(): CallSecurity | undefined {
    return callSecurity(this.socket);
  }

  get method(): DescMethod {
    if (!this.resolved) throw new Error('the method of this call has not been resolved yet');
    return this.resolved;
  }

  set method(method: DescMethod) {
    this.resolved = method;
  }

  get requestEncoding(): string {
    return (this.headers['content-encoding'] as string | undefined) || 'identity';
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

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.cancelReason) this.controller.abort(this.cancelReason);
    }
    return this.controller.signal;
  }

  /** Aborts the signal (now, or when first read) with the reason; later calls do nothing. */
  cancel(reason: RpcError): void {
    if (this.cancelReason) return;
    this.cancelReason = reason;
    this.controller?.abort(reason);
  }

  /** HTTP has no trailers here: response headers and trailers both go out as headers. */
  writeResponseMetadata(headers: OutgoingHttpHeaders): void {
    this.responseMetadata?.writeTo(headers);
    this.trailerMetadata?.writeTo(headers);
  }
}
