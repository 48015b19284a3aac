// A node:http2 server session seen as a KeepaliveConnection, for the opt-in
// `transport: 'node-http2'`. node reports no frame it sends, so "HEADERS or DATA sent" (what
// resets gRFC A8's ping strikes) is counted when a stream opens (its response headers follow),
// when a call writes a message (node-call-stream.ts) and when a stream that was answered closes.

import type http2 from 'node:http2';
import type net from 'node:net';
import type { KeepaliveConnection } from '../wire.js';

export class NodeServerConnection implements KeepaliveConnection {
  streamCount = 0;
  framesSent = 0;

  constructor(readonly session: http2.ServerHttp2Session) {
    // One close handler per session, not a closure per stream: this runs on every call.
    const onStreamClose = (stream: http2.ServerHttp2Stream) => {
      this.streamCount--;
      if (stream.headersSent) this.framesSent++;
    };
    session.on('stream', (stream: http2.ServerHttp2Stream) => {
      this.streamCount++;
      this.framesSent++;
      stream.once('close', () => onStreamClose(stream));
    });
  }

  ping(callback: (error: Error | null, durationMs: number) => void): boolean {
    if (this.session.destroyed) return false;
    return this.session.ping((err, duration) => callback(err, duration));
  }

  goaway(code: number, debug: string): void {
    if (this.session.destroyed) return;
    this.session.goaway(code, 0, Buffer.from(debug, 'ascii'));
    // destroy() flushes the queued GOAWAY before the socket closes; lastStreamID 0 makes node
    // send the last stream it processed.
    this.session.destroy();
  }

  destroy(): void {
    this.session.destroy();
  }

  get destroyed(): boolean {
    return this.session.destroyed;
  }

  get socket(): net.Socket | undefined {
    return this.session.destroyed ? undefined : (this.session.socket as net.Socket);
  }

  on(event: 'ping' | 'close', listener: (this: KeepaliveConnection) => void): this {
    this.session.on(event, () => listener.call(this));
    return this;
  }
}
