// What gRPC and Triple calls need of HTTP/2: a stream, a client connection, and a server
// connection (for keepalive). @shoal/http2's classes are these as they are; node-http2/ adapts
// node:http2's sessions and streams to them for the opt-in `transport: 'node-http2'`.
// Internal to @shoal/rpc.

import type net from 'node:net';
import type { HeaderBlock, Http2Error, IncomingHeaders, OutgoingHeaders, StreamHandler } from '@shoal/http2';

export type { HeaderBlock, IncomingHeaders, OutgoingHeaders, StreamHandler };

/** Which HTTP/2 carries the calls: Shoal's own (default), or node:http2 (opt-in). */
export type Http2Transport = 'shoal' | 'node-http2';

/**
 * The transport in force: the option when given, else `SHOAL_RPC_TRANSPORT` (`node-http2` or
 * `shoal`), else Shoal's own. The variable lets a whole test suite or process switch.
 */
export function chooseTransport(option: Http2Transport | undefined): Http2Transport {
  if (option) return option;
  const fromEnv = process.env.SHOAL_RPC_TRANSPORT;
  if (fromEnv === undefined || fromEnv === '' || fromEnv === 'shoal') return 'shoal';
  if (fromEnv === 'node-http2') return 'node-http2';
  throw new RangeError(`SHOAL_RPC_TRANSPORT: "shoal" or "node-http2", got "${fromEnv}"`);
}

/** One HTTP/2 stream of a call. */
export interface CallStream {
  setHandler(handler: StreamHandler): void;
  pause(): void;
  resume(): void;
  /** Response headers (server); with endStream, a Trailers-Only response. */
  sendHeaders(headers: HeaderBlock | OutgoingHeaders, endStream?: boolean, extra?: OutgoingHeaders): void;
  /** False when the caller should wait for onDrain. */
  write(data: Uint8Array, endStream?: boolean): boolean;
  /** Ends our side, with trailers or without. */
  end(trailers?: HeaderBlock | OutgoingHeaders, extra?: OutgoingHeaders): void;
  /** RST_STREAM `code` once what is queued has gone, unless both sides ended by then. */
  close(code?: number): void;
  /** RST_STREAM now. */
  reset(code?: number): void;
  readonly closed: boolean;
  readonly localEnded: boolean;
  readonly remoteEnded: boolean;
  readonly headersSent: boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: EventEmitter's own listener type
type Listener = (...args: any[]) => void;

/** A client connection of the session pool. */
export interface CallConnection {
  /** Throws (an Http2Error) when the connection takes no new streams. */
  request(
    headers: HeaderBlock | OutgoingHeaders,
    options?: { extra?: OutgoingHeaders; endStream?: boolean },
  ): CallStream;
  ping(callback: (error: Error | null, durationMs: number) => void): boolean;
  /** Graceful: GOAWAY, streams in flight finish. */
  close(): void;
  destroy(error?: Error): void;
  ref(): void;
  unref(): void;
  readonly connecting: boolean;
  /** No new streams (closing, draining or gone). */
  readonly canRequest: boolean;
  readonly destroyed: boolean;
  readonly closing: boolean;
  readonly remoteSettings: { maxConcurrentStreams: number };
  /** The connection's socket (bytes read, for keepalive); undefined once gone. */
  readonly socket: net.Socket | undefined;
  /** `connect`, `remoteSettings`, `goaway` (code, lastStreamId, debug), `draining`, `close` (error). */
  on(event: string, listener: Listener): unknown;
  once(event: string, listener: Listener): unknown;
}

/** A server connection, as keepalive (gRFC A8) sees it. */
export interface KeepaliveConnection {
  ping(callback: (error: Error | null, durationMs: number) => void): boolean;
  /** Ends the connection with GOAWAY `code` and debug data, failing the calls on it. */
  goaway(code: number, debug: string): void;
  destroy(): void;
  readonly destroyed: boolean;
  /** Streams open now. */
  readonly streamCount: number;
  /** HEADERS and DATA frames sent so far. */
  readonly framesSent: number;
  readonly socket: net.Socket | undefined;
  /** `ping` (a PING from the peer) and `close`; listeners are called with the connection as `this`. */
  on(event: 'ping', listener: (this: KeepaliveConnection) => void): unknown;
  on(event: 'close', listener: (this: KeepaliveConnection) => void): unknown;
}

/** Why a stream closed, when it did not end cleanly. */
export type StreamCloseError = Http2Error;
