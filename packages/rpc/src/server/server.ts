// A Triple/gRPC server: gRPC over HTTP/2, and Triple's HTTP mode (unary JSON/proto) over
// HTTP/1.1 (node:http) or HTTP/2, all on one port. Each connection's first bytes
// (protocol-sniffer.ts) say TLS, HTTP/2 with prior knowledge or HTTP/1.1, and its policy
// (transport-security.ts) whether that is accepted; TLS connections are then told apart by ALPN.
// HTTP/2 is @shoal/http2, or node:http2 with `transport: 'node-http2'`; TLS is node:tls under either.

import http from 'node:http';
import net from 'node:net';
import type { DescService, Registry } from '@bufbuild/protobuf';
import type { ServerCallTracerFactory } from '../call-tracer.js';
import { Code } from '../code.js';
import { acceptEncodingHeader, type Compression, defaultCompressions } from '../compression.js';
import { Health } from '../gen/health/v1/health_pb.js';
import type { Interceptor } from '../interceptor.js';
import type { ServiceImpl } from '../method-types.js';
import { NodeServerTransport } from '../node-http2/node-server-transport.js';
import { encodeGrpcMessage } from '../rpc-error.js';
import { isGrpcContentType } from '../serialization.js';
import { serializerCache } from '../serializer-cache.js';
import { HealthStatus, healthImpl, ServingStatus } from '../services/health.js';
import { reflectionServices, ServerReflectionV1, ServerReflectionV1Alpha } from '../services/reflection.js';
import { type CallStream, chooseTransport, type Http2Transport, type IncomingHeaders } from '../wire.js';
import { GrpcServerCall } from './grpc-server-call.js';
import type { H2ServerTransport } from './h2-server-transport.js';
import { handleHttpCall } from './http-server-call.js';
import { Http1Exchange } from './http1-exchange.js';
import { MethodRouter, type RegisterOptions } from './method-router.js';
import { sniff } from './protocol-sniffer.js';
import { ResponseBlocks } from './response-blocks.js';
import type { ServerCore } from './server-core.js';
import { SessionKeepalive } from './session-keepalive.js';
import { ShoalServerTransport } from './shoal-server-transport.js';
import { StreamExchange } from './stream-exchange.js';
import { fixedTlsPolicy, PLAINTEXT, TlsAcceptor, type TransportSecurity } from './transport-security.js';

/** A server's certificate, key, and the CAs it checks client certificates against (mTLS). */
export interface ServerTlsOptions {
  key: string | Buffer;
  cert: string | Buffer;
  /** CA bundle to verify client certificates (mTLS) when requestCert is set. */
  ca?: string | Buffer;
  requestCert?: boolean;
}

/** A server's interceptors, TLS, limits, keepalive, compression and call tracer. */
export interface ServerOptions {
  interceptors?: Interceptor[];
  compressions?: Compression[];
  /** Default 4 MiB, as in gRPC. Larger messages fail with RESOURCE_EXHAUSTED. */
  maxReceiveMessageBytes?: number;
  /** Default 4 MiB. */
  maxSendMessageBytes?: number;
  /** HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS per connection. Default 1000. */
  maxConcurrentStreams?: number;
  /** Largest request header block accepted. Default 16 KiB. */
  maxHeaderListBytes?: number;
  /**
   * Keepalive (gRFC A8).
   * - timeMs, timeoutMs: the server pings each connection every timeMs and closes one that does
   *   not answer within timeoutMs. Defaults: every 2 h, 20 s to answer.
   * - minPingIntervalMs, permitWithoutCalls: the ping policy enforced on clients (A8's
   *   PERMIT_KEEPALIVE_TIME and PERMIT_KEEPALIVE_WITHOUT_CALLS; grpc-go's EnforcementPolicy
   *   MinTime and PermitWithoutStream). A client PING sooner than minPingIntervalMs after the last
   *   one, or, unless permitWithoutCalls, sooner than 2 h on a connection with no call, is a
   *   strike; the third strike since the server last answered gets GOAWAY ENHANCE_YOUR_CALM
   *   "too_many_pings" and the connection is closed. Defaults: 5 min, false.
   * - onTooManyPings: told the peer (`ip:port`) of each connection closed that way, for logs or
   *   metrics.
   */
  keepalive?: {
    timeMs?: number;
    timeoutMs?: number;
    minPingIntervalMs?: number;
    permitWithoutCalls?: boolean;
    onTooManyPings?: (peer: string) => void;
  };
  tls?: ServerTlsOptions;
  /**
   * Decides per connection whether it may be plaintext, TLS (with which certificate, and whether
   * a client certificate is required) or either (told apart by its first bytes); read for each
   * new connection, so a rotated certificate or a new mode applies from the next one. Wins over
   * `tls`. Default: plaintext only (or `tls` alone when given).
   */
  transportSecurity?: TransportSecurity;
  /** Resolves google.protobuf.Any in JSON bodies. */
  jsonRegistry?: Registry;
  /**
   * How many connections may wait to be accepted (listen(2)'s backlog; the kernel caps it at
   * net.core.somaxconn). Default 511, Node's. A server that many clients reconnect to at once
   * (a control plane coming back) wants more: a connection the queue has no room for is reset or
   * left unanswered, and its client backs off.
   */
  listenBacklog?: number;
  /**
   * Serve gRPC health checking (grpc.health.v1.Health) and server reflection (grpc.reflection.v1
   * and v1alpha), as grpcurl, `shoal list` and Kubernetes probes expect. Default false.
   */
  standardServices?: boolean;
  /** Where errors go that no caller can see. Default: console.error. */
  onError?: (error: unknown, where: string) => void;
  /**
   * Makes a tracer for each gRPC call (gRFC A66's ServerCallTracer): told the message sizes and
   * the status. How @shoal/telemetry records metrics and spans.
   */
  callTracer?: ServerCallTracerFactory;
  /**
   * The HTTP/2 implementation: `shoal` (@shoal/http2, the default) or `node-http2` (node's, an
   * opt-in while Shoal's matures). Default: the SHOAL_RPC_TRANSPORT environment variable, else `shoal`.
   */
  transport?: Http2Transport;
}

/** Where a server listens. */
export interface ListenAddress {
  host: string;
  port: number;
}

/** Marks a connection the policy refused, with why (read back through node:http2's socket proxy). */
const REFUSAL = Symbol('shoal.connectionRefusal');
type MarkedSocket = net.Socket & { [REFUSAL]?: string };

/**
 * A server for gRPC, Triple over HTTP/2 and Triple's HTTP/1.1 mode on one port: register services, then
 * listen.
 */
export class Server {
  private readonly router = new MethodRouter();
  private readonly core: ServerCore;
  private readonly shutdown = new AbortController();
  private readonly h2: H2ServerTransport;
  private readonly h1: http.Server;
  private readonly listener: net.Server;
  private readonly keepalive: SessionKeepalive;
  private address: ListenAddress | undefined;
  private readonly maxHeaderListBytes: number;
  private readonly listenBacklog: number;
  private readonly security: TransportSecurity;
  private readonly tls = new TlsAcceptor((secure, refusal) => {
    if (refusal !== undefined) markRefused(secure, refusal);
    if (secure.alpnProtocol === 'h2') this.h2.accept(secure, undefined);
    else this.h1.emit('connection', secure);
  });
  /** Health statuses this server reports; every registered service starts SERVING. */
  readonly health = new HealthStatus();

  constructor(options: ServerOptions = {}) {
    const compressions = options.compressions ?? [...defaultCompressions];
    const onError =
      options.onError ?? ((error, where) => console.error(`shoal rpc server: ${where}:`, error));
    this.core = {
      router: this.router,
      interceptors: options.interceptors ?? [],
      compressions,
      acceptEncoding: acceptEncodingHeader(compressions),
      maxReceiveMessageBytes: options.maxReceiveMessageBytes ?? 4 * 1024 * 1024,
      maxSendMessageBytes: options.maxSendMessageBytes ?? 4 * 1024 * 1024,
      shutdownSignal: this.shutdown.signal,
      onError,
      serializers: serializerCache(options.jsonRegistry),
      callTracer: options.callTracer,
      responseBlocks: new ResponseBlocks(acceptEncodingHeader(compressions)),
    };
    this.keepalive = new SessionKeepalive({
      timeMs: options.keepalive?.timeMs ?? 2 * 3600_000,
      timeoutMs: options.keepalive?.timeoutMs ?? 20_000,
      minPingIntervalMs: options.keepalive?.minPingIntervalMs ?? 5 * 60_000,
      permitWithoutCalls: options.keepalive?.permitWithoutCalls ?? false,
      onTooManyPings: options.keepalive?.onTooManyPings,
    });
    const maxHeaderListBytes = options.maxHeaderListBytes ?? 16 * 1024;
    this.maxHeaderListBytes = maxHeaderListBytes;
    this.listenBacklog = options.listenBacklog ?? 511;
    const h2Settings = {
      maxConcurrentStreams: options.maxConcurrentStreams ?? 1000,
      maxHeaderListBytes,
      keepalive: this.keepalive,
      onError,
    };
    const sink = {
      onStream: (
        stream: CallStream,
        headers: IncomingHeaders,
        socket: net.Socket | undefined,
        goaway: () => void,
      ) => this.onStream(stream, headers, socket, goaway),
      onHeadersTooLarge: (stream: CallStream, headers: IncomingHeaders, size: number) =>
        this.refuse(
          stream,
          headers,
          Code.RESOURCE_EXHAUSTED,
          `request headers larger than max (${size} vs. ${this.maxHeaderListBytes} bytes)`,
          431,
        ),
    };
    this.h2 =
      chooseTransport(options.transport) === 'node-http2'
        ? new NodeServerTransport(h2Settings, sink)
        : new ShoalServerTransport(h2Settings, sink);
    this.h1 = http.createServer({ maxHeaderSize: maxHeaderListBytes, keepAliveTimeout: 30_000 }, (req, res) =>
      this.onHttp1Request(req, res),
    );
    if (options.transportSecurity) this.security = options.transportSecurity;
    else {
      const fixed = options.tls ? fixedTlsPolicy(options.tls) : PLAINTEXT;
      this.security = () => fixed;
    }
    // No Nagle delay, as node:http's own listener sets: a response is written whole, at once.
    this.listener = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.listener.on('error', (err) => onError(err, 'listener'));
    if (options.standardServices) this.registerStandardServices();
  }

  private registerStandardServices(): void {
    this.register(Health, healthImpl(this.health));
    const reflection = reflectionServices(() => this.router.services);
    this.register(ServerReflectionV1, reflection.v1);
    this.register(ServerReflectionV1Alpha, reflection.v1alpha);
  }

  /** Registers an implementation of a generated service, optionally under a Triple version and group. */
  register<S extends DescService>(
    service: S,
    impl: Partial<ServiceImpl<S>>,
    options?: RegisterOptions,
  ): this {
    this.router.register(service, impl, options);
    this.health.set(service.typeName, ServingStatus.SERVING);
    return this;
  }

  /** Services registered so far (reflection and health read this). */
  get services(): readonly DescService[] {
    return this.router.services;
  }

  /** Listens on host:port (port 0 picks a free one) and resolves with the address bound. */
  listen(port = 0, host = '127.0.0.1'): Promise<ListenAddress> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.listener.once('error', onError);
      this.listener.listen({ port, host, backlog: this.listenBacklog }, () => {
        this.listener.off('error', onError);
        const bound = this.listener.address() as net.AddressInfo;
        this.address = { host: bound.address, port: bound.port };
        resolve(this.address);
      });
    });
  }

  get port(): number {
    if (!this.address) throw new Error('server is not listening');
    return this.address.port;
  }

  /**
   * Stops accepting connections, sends GOAWAY so clients move on, lets calls in flight finish
   * for up to graceMs, then cancels what is left.
   */
  async close(graceMs = 5000): Promise<void> {
    this.health.shutdown();
    const closed = new Promise<void>((resolve) => this.listener.close(() => resolve()));
    const drained = this.h2.closeAll();
    this.h1.closeIdleConnections();
    const timer = setTimeout(() => {
      this.shutdown.abort();
      this.h2.destroyAll();
      this.h1.closeAllConnections();
    }, graceMs);
    await drained;
    this.h1.closeAllConnections();
    clearTimeout(timer);
    this.keepalive.close();
    if (this.listener.listening) await closed;
  }

  private onStream(
    stream: CallStream,
    headers: IncomingHeaders,
    socket: net.Socket | undefined,
    goaway: () => void,
  ): void {
    const refusal = (socket as MarkedSocket | undefined)?.[REFUSAL];
    if (refusal !== undefined) {
      // Answered, then GOAWAY: the client's next call dials again and meets the policy of then.
      this.refuse(stream, headers, Code.UNAVAILABLE, refusal, 403);
      goaway();
      return;
    }
    if (isGrpcContentType(headers['content-type'] as string | undefined)) {
      void new GrpcServerCall(this.core, stream, headers, socket).start();
      return;
    }
    const exchange = new StreamExchange(stream, headers, socket);
    void handleHttpCall(this.core, exchange);
  }

  /** A status as a Trailers-Only response for gRPC, `httpStatus` for plain HTTP. */
  private refuse(
    stream: CallStream,
    headers: IncomingHeaders,
    code: Code,
    message: string,
    httpStatus: number,
  ): void {
    stream.setHandler({});
    if (isGrpcContentType(headers['content-type'] as string | undefined)) {
      stream.sendHeaders(
        {
          ':status': 200,
          'content-type': 'application/grpc',
          'grpc-status': String(code),
          'grpc-message': encodeGrpcMessage(message),
        },
        true,
      );
    } else {
      stream.sendHeaders({ ':status': httpStatus, 'content-type': 'text/plain' });
      stream.write(Buffer.from(message), true);
    }
    if (!stream.remoteEnded) stream.close();
  }

  private onHttp1Request(req: http.IncomingMessage, res: http.ServerResponse): void {
    const refusal = (req.socket as MarkedSocket)[REFUSAL];
    if (refusal !== undefined) {
      res.writeHead(403, { 'content-type': 'text/plain', connection: 'close' });
      res.end(`${refusal}\n`);
      return;
    }
    const exchange = new Http1Exchange(req, res);
    void handleHttpCall(this.core, exchange);
  }

  /** A new connection: its policy, its first bytes, then TLS or plaintext HTTP. */
  private accept(socket: net.Socket): void {
    const policy = this.security();
    sniff(socket, (kind, head) => {
      if (kind === 'tls') {
        if (!policy.tls) {
          socket.destroy(); // TLS is not offered: the client sees its handshake fail
          return;
        }
        socket.unshift(head);
        this.tls.accept(socket, policy.tls);
        return;
      }
      if (!policy.plaintext)
        markRefused(
          socket,
          `plaintext connection refused: ${policy.plaintextRefusal ?? 'this server accepts TLS connections only'}`,
        );
      if (kind === 'h2c') {
        this.h2.accept(socket, head);
        return;
      }
      socket.unshift(head);
      this.h1.emit('connection', socket);
      socket.resume();
    });
  }
}

/** The connection makes no calls: each is answered with `why`. */
function markRefused(socket: net.Socket, why: string): void {
  (socket as MarkedSocket)[REFUSAL] = why;
}

/** A new Server. */
export function createServer(options?: ServerOptions): Server {
  return new Server(options);
}
