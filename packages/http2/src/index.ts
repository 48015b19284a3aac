// Public API of @shoal/http2: HTTP/2 (RFC 9113) with HPACK (RFC 7541), client and server, on
// node:net and node:tls. It knows nothing of gRPC.

/** A client for one origin that opens a new connection when the current one takes no more streams. */
export { Http2Client } from './client.js';
/** A client connection: request() opens streams. Made by connect(). */
export { ClientConnection, type RequestOptions } from './client-connection.js';
/** Opens a client connection: h2c with prior knowledge, or TLS with ALPN h2. */
export { type ConnectOptions, connect } from './connect.js';
/** What client and server connections share: settings, PING, GOAWAY, close and destroy. */
export { Connection } from './connection.js';
/** Rate limits of frames that cost work but carry no request (floods). */
export type { FloodLimit, FloodLimits } from './flood-guard.js';
/** Headers as received: one string per field, an array when a name came more than once. */
export type { IncomingHeaders } from './header-collector.js';
/**
 * Headers to send, and a block encoded once and sent as is on any connection (the fixed
 * headers of every request of a method, or of every response).
 */
export {
  encodeHeaderBlock,
  HeaderBlock,
  type HeaderValue,
  type OutgoingHeaders,
} from './hpack/hpack-encoder.js';
/** The error type: an RFC 9113 error code, and whether it ended the connection or one stream. */
export { Http2Error } from './http2-error.js';
/** Our SETTINGS, timeouts and the limits that defend a server. */
export type { ConnectionLimits, LocalSettings } from './limits.js';
/** Error codes and the name of one. */
export { ErrorCode, errorCodeName } from './protocol.js';
/** A server: accept() a socket, or listen(). */
export { Http2Server, type Http2ServerOptions } from './server.js';
/** The server side of a connection. */
export { ServerConnection } from './server-connection.js';
/** The peer's SETTINGS as a connection holds them. */
export type { Settings } from './settings.js';
/** A stream, and what it tells its handler. */
export { Http2Stream, type StreamHandler } from './stream.js';
/** The open-streams table (no Map: bench/README.md, "Garbage a Map kept alive"). */
export { StreamTable } from './stream-table.js';
/** One timer for the deadlines of many connections (a pool may share one among its connections). */
export { Watchdog } from './watchdog.js';
