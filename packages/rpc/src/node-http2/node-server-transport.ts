// The server's HTTP/2 on node:http2, the opt-in `transport: 'node-http2'`. node:http2 announces
// SETTINGS_MAX_HEADER_LIST_SIZE but does not enforce it on requests, so the size is measured here.

import type http2 from 'node:http2';
import type net from 'node:net';
import type { H2ServerSettings, H2ServerTransport, StreamSink } from '../server/h2-server-transport.js';
import type { IncomingHeaders } from '../wire.js';
import { NodeCallStream } from './node-call-stream.js';
import { nodeHttp2 } from './node-http2.js';
import { NodeServerConnection } from './node-server-connection.js';

export class NodeServerTransport implements H2ServerTransport {
  private readonly h2: http2.Http2Server;
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  /** Every accepted socket, for the forced end of destroyAll(). */
  private readonly sockets = new Set<net.Socket>();
  private readonly connections = new WeakMap<http2.Http2Session, NodeServerConnection>();

  constructor(settings: H2ServerSettings, sink: StreamSink) {
    const max = settings.maxHeaderListBytes;
    this.h2 = nodeHttp2().createServer({
      settings: { maxConcurrentStreams: settings.maxConcurrentStreams, maxHeaderListSize: max },
      maxSessionMemory: 64,
    });
    this.h2.on('session', (session: http2.ServerHttp2Session) => {
      this.sessions.add(session);
      const connection = new NodeServerConnection(session);
      this.connections.set(session, connection);
      settings.keepalive.watch(connection);
      session.on('error', (err: NodeJS.ErrnoException) => {
        // A peer that went away (reset, broken pipe) is routine for a server, not an error to report.
        if (err.code === 'ECONNRESET' || err.code === 'EPIPE') return;
        settings.onError(err, 'http2 session');
      });
      session.once('close', () => this.sessions.delete(session));
    });
    this.h2.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
      const call = new NodeCallStream(stream, false, this.connections.get(stream.session!));
      const size = headerListSize(headers);
      if (size > max) sink.onHeadersTooLarge(call, headers as IncomingHeaders, size);
      else {
        const socket = stream.session?.socket as net.Socket | undefined;
        sink.onStream(call, headers as IncomingHeaders, socket, () => stream.session?.close());
      }
    });
  }

  /**
   * The first bytes go back into the socket: node:http2 reads what a socket has buffered when a
   * session starts (on the next tick).
   */
  accept(socket: net.Socket, head: Buffer | undefined): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    if (head) socket.unshift(head);
    this.h2.emit('connection', socket);
  }

  closeAll(): Promise<void> {
    const closed = [...this.sessions].map((s) => new Promise<void>((r) => s.once('close', () => r())));
    for (const session of this.sessions) session.close();
    return Promise.all(closed).then(() => undefined);
  }

  destroyAll(): void {
    for (const session of this.sessions) session.destroy();
    // A destroyed session still waits for the peer to close its socket, which a client that
    // keeps its connection after GOAWAY (grpc-js-xds ending its ADS stream) never does.
    for (const socket of this.sockets) socket.destroy();
  }
}

/** HPACK's measure of a header list (RFC 7541 §4.1): name + value + 32 per field. */
function headerListSize(headers: http2.IncomingHttpHeaders): number {
  let size = 0;
  // for-in and no per-header array: this runs for every request, on a prototype-less dictionary
  // object where Object.entries costs several microseconds.
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) size += name.length + String(v).length + 32;
    else size += name.length + String(value).length + 32;
  }
  return size;
}
