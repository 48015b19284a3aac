// What a service implementation sees of its call besides the request message(s).

import type { X509Certificate } from 'node:crypto';
import type { DescMethod } from '@bufbuild/protobuf';
import type { Compression } from './compression.js';
import type { Metadata } from './metadata.js';

/** The protocol a call came in on: gRPC (and Triple) framing, or Triple's unary HTTP mode. */
export type ServerProtocol = 'grpc' | 'http';

/** The two ends of the connection a call came on, as node's socket reports them. */
export interface CallAddresses {
  /** The caller's IP. On a dual-stack (`::`) listener an IPv4 caller is `::ffff:a.b.c.d`. */
  readonly remoteIp: string;
  readonly remotePort: number;
  /** This server's IP on the connection: the real one, also on a wildcard listener. */
  readonly localIp: string;
  readonly localPort: number;
}

/** The TLS of the connection a call came on. */
export interface CallSecurity {
  /** `TLSv1.3`, `TLSv1.2`. */
  readonly protocol: string;
  /** `h2` or `http/1.1`. */
  readonly alpn: string;
  /** True when the peer presented a certificate the server's CA verified. */
  readonly authorized: boolean;
  /** The peer's certificate, present only when `authorized` (mutual TLS). */
  readonly peerCertificate?: X509Certificate;
  /** The server name the client asked for (SNI); '' when it sent none. */
  readonly serverName: string;
}

/**
 * What a method handler sees of its call: method, metadata, deadline, peer and protocol, and the trailers it
 * sends.
 */
export interface HandlerContext {
  readonly method: DescMethod;
  readonly protocol: ServerProtocol;
  /** Request metadata (reserved transport headers removed). */
  readonly requestHeader: Metadata;
  /** Response headers; may be changed until the first response message is sent. */
  readonly responseHeader: Metadata;
  /** Response trailers; may be changed until the call ends. */
  readonly responseTrailer: Metadata;
  /** Aborts when the client cancels, the deadline passes, or the server shuts down hard. */
  readonly signal: AbortSignal;
  /** Absolute deadline (ms since epoch) when the client sent a timeout. */
  readonly deadline: number | undefined;
  /** Remote address of the caller, as `ip:port`. */
  readonly peer: string;
  /**
   * The connection's remote and local addresses, built when read (a new object each read);
   * undefined when the connection is already gone or is not IP (a Unix socket).
   */
  readonly addresses: CallAddresses | undefined;
  /** The connection's TLS, read once per connection; undefined for plaintext. */
  readonly security: CallSecurity | undefined;
  /** Triple service version and group the call was routed by ('' when none). */
  readonly version: string;
  readonly group: string;
  /** The request's `grpc-encoding` (gRPC) or `content-encoding` (HTTP mode); `identity` when none. */
  readonly requestEncoding: string;
  /**
   * gRPC mode: compression of the response messages, settable until the first one is sent. Left
   * undefined, responses use the request's own encoding when the client accepts it. HTTP mode ignores it.
   */
  responseCompression?: Compression | undefined;
}

/** Milliseconds left before the deadline, or undefined when the call has none. */
export function timeRemaining(context: HandlerContext): number | undefined {
  return context.deadline === undefined ? undefined : Math.max(0, context.deadline - Date.now());
}
