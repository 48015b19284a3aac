// The HTTP/2 side of a server, whichever implementation carries it: it takes the connections the
// server routes to it and hands each request stream to the server. Internal.

import type net from 'node:net';
import type { CallStream, IncomingHeaders } from '../wire.js';
import type { SessionKeepalive } from './session-keepalive.js';

export interface StreamSink {
  /** A request: gRPC, or Triple's HTTP mode over HTTP/2; `goaway` closes its connection gracefully. */
  onStream(
    stream: CallStream,
    headers: IncomingHeaders,
    socket: net.Socket | undefined,
    goaway: () => void,
  ): void;
  /** A request whose header list is over the limit; `headers` holds what fit. */
  onHeadersTooLarge(stream: CallStream, headers: IncomingHeaders, size: number): void;
}

export interface H2ServerSettings {
  maxConcurrentStreams: number;
  maxHeaderListBytes: number;
  keepalive: SessionKeepalive;
  onError: (error: unknown, where: string) => void;
}

export interface H2ServerTransport {
  /** Serves HTTP/2 on a connection; `head`: its first bytes, already read. */
  accept(socket: net.Socket, head: Buffer | undefined): void;
  /** Graceful GOAWAY on every connection; resolves once all are closed. */
  closeAll(): Promise<void>;
  /** Ends every connection still open. */
  destroyAll(): void;
}
