// A transport carries one call to a server. The gRPC transport talks HTTP/2 to one address;
// the mesh supplies transports that pick the address per call.

import type { DescMethod } from '@bufbuild/protobuf';
import { encodeHeaderBlock } from '@shoal/http2';
import type { CallOptions } from '../call-options.js';
import { Code } from '../code.js';
import {
  acceptEncodingHeader,
  type Compression,
  defaultCompressions,
  findCompression,
} from '../compression.js';
import type { CallRequest, CallResponse } from '../interceptor.js';
import { methodPath } from '../method-types.js';
import { RpcError } from '../rpc-error.js';
import type { Codec } from '../serialization.js';
import { type SerializerLookup, serializerCache } from '../serializer-cache.js';
import type { HeaderBlock } from '../wire.js';
import { grpcCall } from './grpc-client-call.js';
import { type ClientTlsOptions, SessionPool, type SessionPoolOptions } from './session-pool.js';

/** What a client sends its calls through; interceptors and the mesh wrap it. */
export interface Transport {
  call(request: CallRequest, options: CallOptions): Promise<CallResponse>;
  /** Releases connections the transport owns. */
  close(): void;
}

/** Where a GrpcTransport connects, with which protocol, and its session pool's options. */
export interface GrpcTransportOptions extends SessionPoolOptions {
  /** `host:port` (IPv6 as `[::1]:port`). */
  address: string;
  /** Share connections with other transports; the transport then does not close it. */
  pool?: SessionPool;
  /** `:authority` to send; defaults to the address. */
  authority?: string;
  /** Message codec: `proto` (application/grpc) or `json` (application/grpc+json). */
  codec?: Codec;
  /**
   * `grpc` (default) or `triple`: the same framing, with the content type Dubbo's Triple
   * implementations send (`application/grpc+proto`). Triple's `tri-service-*` headers go with
   * either when the call sets a version, group or timeout.
   */
  protocol?: 'grpc' | 'triple';
  compressions?: Compression[];
  /** Default 4 MiB, as in gRPC. */
  maxReceiveMessageBytes?: number;
  /** Default 4 MiB. */
  maxSendMessageBytes?: number;
  userAgent?: string;
}

const userAgent = `shoal-rpc/0.1 node/${process.versions.node}`;

/** gRPC and Triple over HTTP/2 to one address. */
export class GrpcTransport implements Transport {
  private readonly pool: SessionPool;
  private readonly ownsPool: boolean;
  private readonly compressions: readonly Compression[];
  private readonly acceptEncoding: string;
  private readonly serializers: SerializerLookup;
  private readonly codec: Codec;
  private readonly contentType: string;
  /** Each method's request headers, encoded once (HPACK) for every call of it. */
  private readonly requestHeaders = new Map<DescMethod, HeaderBlock>();

  constructor(private readonly options: GrpcTransportOptions) {
    this.ownsPool = !options.pool;
    this.pool = options.pool ?? new SessionPool(options);
    this.compressions = options.compressions ?? defaultCompressions;
    this.acceptEncoding = acceptEncodingHeader(this.compressions);
    this.serializers = serializerCache();
    this.codec = options.codec ?? 'proto';
    this.contentType =
      this.codec === 'json'
        ? 'application/grpc+json'
        : options.protocol === 'triple'
          ? 'application/grpc+proto'
          : 'application/grpc';
  }

  call(request: CallRequest, options: CallOptions): Promise<CallResponse> {
    options.onDestination?.({ endpoint: this.options.address });
    // A transport above (the mesh) may have started the attempt already, to include its pick.
    let attempt = request.attempt;
    if (attempt === undefined && request.tracer !== undefined) {
      attempt = request.tracer.startAttempt();
      attempt.onDestination?.({ endpoint: this.options.address });
    }
    const compression = findCompression(this.compressions, options.compression);
    if (!compression) {
      attempt?.onEnd(Code.INTERNAL);
      return Promise.reject(new RpcError(Code.INTERNAL, `unknown compression "${options.compression}"`));
    }
    return grpcCall(
      {
        pool: this.pool,
        address: this.options.address,
        requestHeaders:
          request.path === undefined && request.authority === undefined
            ? this.requestHeadersOf(request.method)
            : this.encodeRequestHeaders(request.path ?? methodPath(request.method), request.authority),
        compressions: this.compressions,
        requestCompression: compression === 'identity' ? undefined : compression,
        maxReceiveMessageBytes: this.options.maxReceiveMessageBytes ?? 4 * 1024 * 1024,
        maxSendMessageBytes: this.options.maxSendMessageBytes ?? 4 * 1024 * 1024,
        version: options.version,
        group: options.group,
        serializers: this.serializers(request.method, this.codec),
        onHeader: options.onHeader,
        onTrailer: options.onTrailer,
        attempt,
      },
      request,
    );
  }

  close(): void {
    if (this.ownsPool) this.pool.close();
  }

  private requestHeadersOf(method: DescMethod): HeaderBlock {
    let block = this.requestHeaders.get(method);
    if (block === undefined) {
      block = this.encodeRequestHeaders(methodPath(method), undefined);
      this.requestHeaders.set(method, block);
    }
    return block;
  }

  /** A call's fixed headers; `path`/`authority` other than the method's come from a mesh route's rewrite. */
  private encodeRequestHeaders(path: string, authority: string | undefined): HeaderBlock {
    return encodeHeaderBlock({
      ':method': 'POST',
      ':scheme': this.options.tls ? 'https' : 'http',
      ':path': path,
      ':authority': authority ?? this.options.authority ?? this.options.address,
      'content-type': this.contentType,
      te: 'trailers',
      'user-agent': this.options.userAgent ?? userAgent,
      'grpc-accept-encoding': this.acceptEncoding,
    });
  }
}

export type { ClientTlsOptions };
