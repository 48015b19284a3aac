// A node:http2 client session seen as a CallConnection, for the opt-in
// `transport: 'node-http2'`. Its events are passed on under @shoal/http2's names; a GOAWAY also
// says the connection drains.

import { EventEmitter } from 'node:events';
import type http2 from 'node:http2';
import net from 'node:net';
import { ErrorCode, Http2Error } from '@shoal/http2';
import type { CallConnection, HeaderBlock, OutgoingHeaders } from '../wire.js';
import { merge, NodeCallStream } from './node-call-stream.js';
import { nodeHttp2 } from './node-http2.js';

export interface NodeDialOptions {
  address: string;
  tls?: http2.SecureClientSessionOptions;
  /** Resolves the host (default node:dns lookup); every address is tried in turn. */
  lookup?: net.LookupFunction;
}

export class NodeClientConnection extends EventEmitter implements CallConnection {
  private error: Error | undefined;
  private draining = false;
  readonly session: http2.ClientHttp2Session;

  constructor(options: NodeDialOptions) {
    super();
    const { address, tls, lookup } = options;
    // `unix:/path` (gRPC naming) dials a Unix domain socket, plaintext.
    const socketPath = address.startsWith('unix:') ? address.slice('unix:'.length) : undefined;
    const http2 = nodeHttp2();
    const session = socketPath
      ? http2.connect('http://localhost', { createConnection: () => net.connect(socketPath) })
      : http2.connect(`${tls ? 'https' : 'http'}://${address}`, {
          ...(tls && { ...tls, ALPNProtocols: ['h2'] }),
          ...(lookup && { lookup }),
        });
    this.session = session;
    session.on('connect', () => this.emit('connect'));
    session.on('remoteSettings', (settings) =>
      this.emit('remoteSettings', { maxConcurrentStreams: settings.maxConcurrentStreams ?? Infinity }),
    );
    session.on('goaway', (code: number, lastStreamId: number, data?: Buffer) => {
      this.emit('goaway', code, lastStreamId, data ?? Buffer.alloc(0));
      this.drain();
    });
    session.on('error', (err) => {
      this.error ??= err; // the streams on it fail by themselves and report the cause
      this.drain();
    });
    session.on('close', () => {
      this.drain();
      this.emit('close', this.error);
    });
  }

  request(
    headers: HeaderBlock | OutgoingHeaders,
    options?: { extra?: OutgoingHeaders; endStream?: boolean },
  ) {
    if (!this.canRequest)
      throw new Http2Error(ErrorCode.REFUSED_STREAM, 'connection is closing', 'connection');
    const stream = this.session.request(merge(headers, options?.extra) as http2.OutgoingHttpHeaders, {
      endStream: options?.endStream ?? false,
    });
    return new NodeCallStream(stream, true);
  }

  ping(callback: (error: Error | null, durationMs: number) => void): boolean {
    return this.session.ping((err, duration) => callback(err, duration));
  }

  close(): void {
    if (!this.session.closed) this.session.close();
  }

  destroy(error?: Error): void {
    this.session.destroy(error);
  }

  ref(): void {
    this.session.ref();
  }

  unref(): void {
    this.session.unref();
  }

  get connecting(): boolean {
    return this.session.connecting;
  }

  get canRequest(): boolean {
    return !this.draining && !this.session.closed && !this.session.destroyed;
  }

  get destroyed(): boolean {
    return this.session.destroyed;
  }

  get closing(): boolean {
    return this.session.closed;
  }

  get remoteSettings(): { maxConcurrentStreams: number } {
    return { maxConcurrentStreams: this.session.remoteSettings.maxConcurrentStreams ?? Infinity };
  }

  get socket(): net.Socket | undefined {
    return this.session.destroyed ? undefined : (this.session.socket as net.Socket);
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    this.emit('draining');
  }
}
