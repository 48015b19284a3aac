// The server side of a connection: it reads the client preface first (RFC 9113 §3.4), hands
// each new stream to the application, and closes gracefully in two steps as §6.8 advises: a
// GOAWAY with the largest stream id and a PING, then, once the PING returns (one round trip, so
// requests already on their way are counted), a GOAWAY with the last stream it will process.

import { Connection, type ConnectionInit } from './connection.js';
import type { IncomingHeaders } from './header-collector.js';
import { connectionError } from './http2-error.js';
import { CLIENT_PREFACE, ErrorCode, MAX_STREAM_ID } from './protocol.js';
import type { Http2Stream } from './stream.js';

export interface ServerStreamHooks {
  onStream(stream: Http2Stream, headers: IncomingHeaders, connection: ServerConnection): void;
  onHeadersTooLarge(stream: Http2Stream, headers: IncomingHeaders, size: number): void;
}

/** Longest wait for the PING between the two GOAWAY frames of a graceful close. */
const DRAIN_PING_TIMEOUT_MS = 1000;

export class ServerConnection extends Connection {
  private prefaceRead = 0;
  private finalGoawaySent = false;

  /** @internal */
  constructor(
    init: Omit<ConnectionInit, 'isClient'>,
    private readonly hooks: ServerStreamHooks,
  ) {
    super({ ...init, isClient: false });
    this.start();
  }

  /** @internal Bytes read from the socket before the connection took it over. */
  receive(head: Buffer): void {
    if (head.length > 0) this.onBytes(head);
  }

  protected override readBytes(chunk: Buffer): void {
    let rest = chunk;
    if (this.prefaceRead < CLIENT_PREFACE.length) {
      const n = Math.min(chunk.length, CLIENT_PREFACE.length - this.prefaceRead);
      if (chunk.compare(CLIENT_PREFACE, this.prefaceRead, this.prefaceRead + n, 0, n) !== 0) {
        throw connectionError(ErrorCode.PROTOCOL_ERROR, 'invalid connection preface (§3.4)');
      }
      this.prefaceRead += n;
      if (n === chunk.length) return;
      rest = chunk.subarray(n);
    }
    super.readBytes(rest);
  }

  /** @internal */
  onPeerStream(stream: Http2Stream, headers: IncomingHeaders): void {
    this.hooks.onStream(stream, headers, this);
  }

  /** @internal */
  onHeadersTooLarge(stream: Http2Stream, headers: IncomingHeaders, size: number): void {
    this.hooks.onHeadersTooLarge(stream, headers, size);
  }

  close(): void {
    if (this.closing || this.destroyed) return;
    this.closing = true;
    this.emit('draining');
    this.writeGoaway(MAX_STREAM_ID, ErrorCode.NO_ERROR);
    const timer = setTimeout(() => this.sendFinalGoaway(), DRAIN_PING_TIMEOUT_MS);
    timer.unref();
    this.ping(() => {
      clearTimeout(timer);
      this.sendFinalGoaway();
    });
  }

  private sendFinalGoaway(): void {
    if (this.finalGoawaySent || this.destroyed) return;
    this.finalGoawaySent = true;
    this.writeGoaway(this.lastPeerStreamId, ErrorCode.NO_ERROR);
    if (this.streams.size === 0) this.end();
  }

  protected override mayEnd(): boolean {
    return this.finalGoawaySent || this.goawayReceived !== undefined;
  }
}
