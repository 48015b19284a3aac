// The server's HTTP/2 on @shoal/http2 (the default transport).

import type net from 'node:net';
import { Http2Server, type ServerConnection } from '@shoal/http2';
import type { H2ServerSettings, H2ServerTransport, StreamSink } from './h2-server-transport.js';

export class ShoalServerTransport implements H2ServerTransport {
  private readonly server: Http2Server;

  constructor(settings: H2ServerSettings, sink: StreamSink) {
    this.server = new Http2Server({
      settings: {
        maxConcurrentStreams: settings.maxConcurrentStreams,
        maxHeaderListSize: settings.maxHeaderListBytes,
      },
      onStream: (stream, headers, connection) =>
        sink.onStream(stream, headers, connection.socket, () => connection.close()),
      onHeadersTooLarge: (stream, headers, size) => sink.onHeadersTooLarge(stream, headers, size),
    });
    // A peer that breaks the protocol (or a limit) is worth a report: it got GOAWAY. One
    // listener for all connections.
    const report = (error: Error) => settings.onError(error, 'http2 session');
    this.server.on('connection', (connection: ServerConnection) => {
      settings.keepalive.watch(connection);
      connection.on('protocolError', report);
    });
  }

  accept(socket: net.Socket, head: Buffer | undefined): void {
    this.server.accept(socket, head);
  }

  closeAll(): Promise<void> {
    const connections = [...this.server.connections];
    const closed = connections.map((c) => new Promise<void>((r) => c.once('close', () => r())));
    for (const connection of connections) connection.close();
    return Promise.all(closed).then(() => undefined);
  }

  destroyAll(): void {
    for (const connection of this.server.connections) connection.destroy();
  }
}
