// One HTTP/2 connection (RFC 9113), the part client and server share: the preface and SETTINGS
// exchange with its ACK timeout (§3.4, §6.5), frames in (§4, §6) and out, flow control with
// automatic window updates (§5.2, §6.9), PING (§6.7), GOAWAY and graceful close (§6.8), and the
// error handling of §5.4: a connection error sends GOAWAY and closes, a stream error resets one
// stream. Frames in are dispatched by type in frame-dispatch.ts (DATA: data-frames.ts, header
// blocks: header-blocks.ts, the rest: control-frames.ts); the deadlines the watchdog checks are in
// connection-deadlines.ts, the flood limits in flood-guard.ts, stream state in stream.ts.
//
// Output is gathered in a WriteBuffer and written once per turn of the event loop
// (setImmediate), so HEADERS, DATA and trailers of many streams leave in one write.

import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import { now } from './clock.js';
import { ConnectionDeadlines } from './connection-deadlines.js';
import { ControlFrames } from './control-frames.js';
import { DataFrames } from './data-frames.js';
import { FloodGuard } from './flood-guard.js';
import { FrameDispatch } from './frame-dispatch.js';
import { FrameReader } from './frame-reader.js';
import { FrameWriter } from './frame-writer.js';
import { HeaderBlocks } from './header-blocks.js';
import type { IncomingHeaders } from './header-collector.js';
import { HeaderBlock, type OutgoingHeaders } from './hpack/hpack-encoder.js';
import { connectionError, Http2Error } from './http2-error.js';
import type { ConnectionLimits } from './limits.js';
import { ErrorCode, errorCodeName, MAX_STREAM_ID } from './protocol.js';
import { SendFlow } from './send-flow.js';
import { initialSettings, type Settings } from './settings.js';
import type { Http2Stream } from './stream.js';
import { StreamTable } from './stream-table.js';
import type { Watchdog } from './watchdog.js';

/** Socket output past which DATA waits in its stream (the peer reads slower than we write). */
/** Streams we reset, remembered so that frames the peer sent before it saw the reset are ignored (§5.1). */
const RECENT_RESETS = 128;
/** Where a socket keeps its connection, so that its listeners are shared functions, not closures per connection. */
const CONNECTION = Symbol('http2 connection');

type OwnedSocket = net.Socket & { [CONNECTION]: Connection };

function onSocketData(this: OwnedSocket, chunk: Buffer): void {
  this[CONNECTION].onBytes(chunk);
}

function onSocketDrain(this: OwnedSocket): void {
  this[CONNECTION].flow.resume();
}

function onSocketError(this: OwnedSocket, error: Error): void {
  this[CONNECTION].closeError ??= error;
}

function onSocketClose(this: OwnedSocket): void {
  this[CONNECTION].onSocketClose();
}

export interface ConnectionInit {
  socket: net.Socket;
  isClient: boolean;
  /** Our SETTINGS, shared by every connection of a server or client (never changed). */
  settings: Readonly<Settings>;
  limits: ConnectionLimits;
  watchdog: Watchdog;
}

export interface Ping {
  id: number;
  sentAt: number;
  callback: ((error: Error | null, durationMs: number) => void) | undefined;
}

/**
 * Events: `remoteSettings` (Settings), `ping` (payload: Buffer, a PING from the peer), `goaway`
 * (code, lastStreamId, debugData: Buffer), `draining` (no new streams from now on),
 * `protocolError` (Http2Error: the peer broke the protocol or a limit, and was sent GOAWAY),
 * `close` (error: Http2Error | Error | undefined).
 */
export abstract class Connection extends EventEmitter {
  readonly socket: net.Socket;
  /** The SETTINGS we announced (in force from the start: they only ever loosen the RFC's defaults). */
  readonly localSettings: Readonly<Settings>;
  /** The peer's SETTINGS, the RFC's initial values until its SETTINGS frame arrives. */
  readonly remoteSettings: Settings = initialSettings();
  /** Counts HEADERS and DATA frames sent (keepalive policies watch it, gRFC A8). */
  framesSent = 0;
  /** The GOAWAY the peer sent, if any. */
  goawayReceived: { code: number; lastStreamId: number } | undefined;
  destroyed = false;
  /** Graceful close started: no new streams. */
  closing = false;

  /** @internal */
  readonly streams = new StreamTable<Http2Stream>();
  /** @internal */
  readonly limits: ConnectionLimits;
  /** @internal Our initial stream window: streams credit the peer back past half of it. */
  readonly streamWindowTarget: number;
  /** @internal Highest stream the peer opened (or tried to). */
  lastPeerStreamId = 0;
  /** @internal Peer-initiated streams open now. */
  peerStreams = 0;
  /** Streams we reset lately; made when first needed, as are the PING records. */
  private recentResets: Set<number> | undefined;
  /** @internal The rate limits on frames that cost us work (flood-guard.ts). */
  readonly flood: FloodGuard;

  /** @internal */
  readonly isClient: boolean;
  /** @internal The last stream id of our GOAWAY (peer streams above it are ignored). */
  goawaySent: number | undefined;
  protected readonly watchdog: Watchdog;
  /** @internal HEADERS and CONTINUATION in. */
  readonly headerBlocks: HeaderBlocks;
  protected readonly reader: FrameReader;
  /** @internal */
  peerSettingsReceived = false;

  /** @internal Frames out. */
  readonly writer: FrameWriter;
  /** Streams with small writes gathered since the last flush. */
  private gathered: Http2Stream[] | undefined;
  /** @internal The send windows, and the streams waiting on them or on the socket. */
  readonly flow: SendFlow;
  /** @internal SETTINGS, PING, GOAWAY, WINDOW_UPDATE, RST_STREAM and PRIORITY in. */
  readonly control: ControlFrames;
  /** @internal DATA in, with the connection's receive window (made with our SETTINGS, in start()). */
  data!: DataFrames;
  /** @internal PINGs of ours not yet answered. */
  pings: Ping[] | undefined;
  private pingCount = 0;
  /** @internal The handshake, frame, stall and idle deadlines the watchdog checks. */
  readonly deadlines: ConnectionDeadlines;
  /** @internal */
  closeError: Error | undefined;
  private endTimer: NodeJS.Timeout | undefined;

  constructor(init: ConnectionInit) {
    super();
    const { socket, settings, limits } = init;
    this.socket = socket;
    this.isClient = init.isClient;
    this.limits = limits;
    this.watchdog = init.watchdog;
    this.localSettings = settings;
    this.streamWindowTarget = settings.initialWindowSize;
    this.headerBlocks = new HeaderBlocks(this, settings.headerTableSize);
    this.reader = new FrameReader(new FrameDispatch(this), settings.maxFrameSize);
    this.writer = new FrameWriter(socket);
    this.writer.beforeFlush = () => this.frameGathered();
    this.flow = new SendFlow(this);
    this.control = new ControlFrames(this);
    this.flood = new FloodGuard(limits.flood);
    this.deadlines = new ConnectionDeadlines(this);
    socket.setNoDelay(true);
    (socket as OwnedSocket)[CONNECTION] = this;
    socket.on('data', onSocketData);
    socket.on('drain', onSocketDrain);
    socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
    socket.resume(); // a socket paused by whoever read its first bytes flows again
    this.watchdog.add(this);
  }

  /** Starts the connection: our preface (client), SETTINGS and the connection window. */
  protected start(preface?: Buffer): void {
    if (preface) this.writer.bytes(preface);
    this.writer.settings(this.localSettings, this.isClient);
    this.deadlines.settingsAck = now() + this.limits.settingsAckTimeoutMs;
    this.data = new DataFrames(this, this.limits.connectionWindowSize);
  }

  /** Streams open now. */
  get streamCount(): number {
    return this.streams.size;
  }

  /** Closes gracefully: GOAWAY, streams in flight finish, then the socket closes. */
  abstract close(): void;

  /** Ends the connection now: streams fail with `error` (or a CANCEL), the socket is destroyed. */
  destroy(error?: Error): void {
    if (!this.destroyed) {
      this.closeError ??= error;
      this.shutDown(error);
    }
    this.socket.destroy(); // also a socket still ending after a connection error
  }

  /** Sends a PING; `callback` gets the round trip in ms, or an error if the connection closes first. */
  ping(callback?: (error: Error | null, durationMs: number) => void): boolean {
    if (this.destroyed) return false;
    const id = ++this.pingCount;
    (this.pings ??= []).push({ id, sentAt: performance.now(), callback });
    this.writer.ping(id);
    return true;
  }

  ref(): void {
    this.socket.ref();
  }

  unref(): void {
    this.socket.unref();
  }

  // ---- frames in -------------------------------------------------------------------------

  /** @internal */
  onBytes(chunk: Buffer): void {
    if (this.destroyed) return;
    try {
      this.readBytes(chunk);
    } catch (err) {
      this.onReadError(err);
      return;
    }
    const deadlines = this.deadlines;
    if (this.reader.midFrame || this.headerBlocks.open) {
      if (deadlines.partialSince === 0) deadlines.partialSince = now();
    } else deadlines.partialSince = 0;
  }

  /** The server first checks the client preface; both then read frames. */
  protected readBytes(chunk: Buffer): void {
    this.reader.push(chunk);
  }

  private onReadError(err: unknown): void {
    if (err instanceof Http2Error) {
      this.fail(err);
      return;
    }
    // A bug of ours or of a handler: the connection cannot go on, and the error must be seen.
    this.fail(connectionError(ErrorCode.INTERNAL_ERROR, 'internal error'));
    queueMicrotask(() => {
      throw err;
    });
  }

  /** @internal The peer's SETTINGS were applied (a client may now open streams it held back). */
  onRemoteSettings(): void {}

  /** @internal A GOAWAY arrived: a client fails the streams the server will not process. */
  onPeerGoaway(_lastStreamId: number, _code: number, _debug: Buffer): void {}

  /** @internal True for a stream id neither side has opened yet (§5.1 "idle"). */
  isIdle(id: number): boolean {
    const peerInitiated = (id & 1) === (this.isClient ? 0 : 1);
    return peerInitiated ? id > this.lastPeerStreamId : id >= this.nextLocalStreamId();
  }

  /** The id our next stream would get (a server opens none). */
  protected nextLocalStreamId(): number {
    return 2;
  }

  /** @internal A stream the peer opened: the server hands it to its application. */
  abstract onPeerStream(stream: Http2Stream, headers: IncomingHeaders): void;

  /** @internal A request's header list was over our limit. */
  abstract onHeadersTooLarge(stream: Http2Stream, headers: IncomingHeaders, size: number): void;

  // ---- frames out ------------------------------------------------------------------------

  /** @internal Writes a header block as HEADERS (+ CONTINUATION) frames, split to the peer's frame size. */
  writeHeaders(
    id: number,
    headers: HeaderBlock | OutgoingHeaders,
    extra: OutgoingHeaders | undefined,
    endStream: boolean,
    first: boolean,
  ): void {
    if (this.destroyed) return;
    const block = headers instanceof HeaderBlock ? headers : undefined;
    const fields = block ? extra : (headers as OutgoingHeaders);
    if (!first && block?.hasPseudo) throw new TypeError('trailers may not hold pseudo-headers');
    this.framesSent++;
    this.writer.headers(id, block, fields, endStream, this.remoteSettings.maxFrameSize);
  }

  /** @internal `stream` holds small writes to frame at the next flush. */
  gather(stream: Http2Stream): void {
    (this.gathered ??= []).push(stream);
    this.writer.schedule();
  }

  /** Frames the small writes each stream gathered since the last flush. */
  private frameGathered(): void {
    const gathered = this.gathered;
    if (gathered === undefined) return;
    this.gathered = undefined;
    for (const stream of gathered) stream.sendGathered();
  }

  /** @internal WINDOW_UPDATE: we read `increment` more bytes on `id` (0: the connection). */
  windowUpdate(id: number, increment: number): void {
    if (!this.destroyed) this.writer.windowUpdate(id, increment);
  }

  /** @internal Resets a stream (RST_STREAM) and remembers it, so late frames on it are ignored. */
  resetStream(stream: Http2Stream, code: number): void {
    if (stream.id === 0 || this.destroyed) return;
    this.writeRst(stream.id, code);
  }

  /** @internal A stream error we found on an open stream (§5.4.2). */
  failStream(stream: Http2Stream, code: number, message: string): void {
    if (!this.isClient && !this.flood.takeReset())
      throw this.calm(`too many stream errors (last: ${message})`);
    this.checkOutbound();
    stream.rstCode = code;
    this.writeRst(stream.id, code);
    stream.finish(new Http2Error(code, message, 'stream', true), true);
  }

  /** @internal A stream error on a stream we hold no state for (refused, or already closed). */
  resetUnknown(id: number, code: number): void {
    if (!this.isClient && !this.flood.takeReset()) throw this.calm('too many refused or reset streams');
    this.checkOutbound();
    this.writeRst(id, code);
  }

  /** A stream error on any stream id: through its stream when open. */
  /** @internal */
  resetAny(id: number, code: number, message: string): void {
    const stream = this.streams.get(id);
    if (stream) this.failStream(stream, code, message);
    else this.resetUnknown(id, code);
  }

  /** @internal The stream left the open states: forget it. */
  streamClosed(stream: Http2Stream, _local: boolean): void {
    const id = stream.id;
    if (id === 0 || this.streams.get(id) !== stream) return;
    this.streams.delete(id);
    this.flow.forget(stream);
    if ((id & 1) === (this.isClient ? 0 : 1)) this.peerStreams--;
    if (this.streams.size === 0) this.deadlines.idleSince = now();
    this.afterStreamClosed();
  }

  /** A stream closed: a client may open one it held back, a closing connection may end. */
  protected afterStreamClosed(): void {
    if (this.closing && this.streams.size === 0 && this.mayEnd()) this.end();
  }

  /** Whether a closing connection may end once its streams are done. */
  protected mayEnd(): boolean {
    return true;
  }

  private writeRst(id: number, code: number): void {
    this.writer.rst(id, code);
    const recent = (this.recentResets ??= new Set());
    recent.add(id);
    if (recent.size > RECENT_RESETS) recent.delete(recent.values().next().value!);
  }

  /** @internal Whether we reset stream `id` lately. */
  recentlyReset(id: number): boolean {
    return this.recentResets?.has(id) ?? false;
  }

  /** @internal GOAWAY with the last peer stream we process. */
  writeGoaway(lastStreamId: number, code: number, debug?: string): void {
    this.writer.goaway(lastStreamId, code, debug);
    this.goawaySent = Math.min(this.goawaySent ?? MAX_STREAM_ID, lastStreamId);
  }

  /** Answering the peer would queue output it does not read: it is flooding us (CVE-2019-9512, -9515). */
  /** @internal */
  checkOutbound(): void {
    if (this.writer.pending + this.socket.writableLength > this.limits.maxOutboundBytes) {
      throw this.calm('the peer sends frames that need answers but does not read them');
    }
  }

  /** @internal */
  calm(message: string): Http2Error {
    return connectionError(ErrorCode.ENHANCE_YOUR_CALM, message);
  }

  // ---- lifecycle -------------------------------------------------------------------------

  /** No new streams from now on; the connection ends once the open ones are done. */
  /** @internal */
  startDraining(): void {
    if (!this.closing) {
      this.closing = true;
      this.emit('draining');
    }
    if (this.streams.size === 0 && this.mayEnd()) this.end();
  }

  /** A connection error we found: GOAWAY with its code, then close (§5.4.1). */
  fail(error: Http2Error): void {
    if (this.destroyed) return;
    this.terminate(error, error.message);
    this.emit('protocolError', error);
  }

  /**
   * Ends the connection now with GOAWAY `code` and `debug` data (e.g. ENHANCE_YOUR_CALM
   * "too_many_pings"): the streams open fail, the socket closes once the GOAWAY is out.
   */
  goaway(code: number, debug?: string): void {
    this.terminate(
      new Http2Error(code, debug ? `GOAWAY sent: ${debug}` : 'GOAWAY sent', 'connection', true),
      debug,
    );
  }

  private terminate(error: Http2Error, debug: string | undefined): void {
    if (this.destroyed) return;
    this.closeError ??= error;
    this.writeGoaway(this.lastPeerStreamId, error.code, debug);
    this.writer.flush();
    this.shutDown(error);
    // Nothing more is read: what the peer still sends stays in the kernel's buffer, not ours.
    this.socket.pause();
    this.endSocket();
  }

  /** Ends a connection whose streams are done: flushes, then closes the socket. */
  protected end(): void {
    if (this.destroyed) return;
    this.writer.flush();
    this.shutDown(undefined);
    this.endSocket();
  }

  private endSocket(): void {
    this.socket.end();
    // A peer that never closes its side is not waited for.
    this.endTimer = setTimeout(() => this.socket.destroy(), 1000);
    this.endTimer.unref();
  }

  /** Marks the connection gone and fails what is still open. */
  private shutDown(error: Error | undefined): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.closing = true;
    this.reader.stop();
    this.writer.clear();
    this.watchdog.delete(this);
    const cause = error ?? this.closeError;
    const streamError =
      cause instanceof Http2Error
        ? cause
        : new Http2Error(
            ErrorCode.CANCEL,
            cause ? `connection closed: ${cause.message}` : 'connection closed',
            'connection',
            true,
            {
              cause,
            },
          );
    for (const stream of this.streams.values()) stream.finish(streamError, true);
    this.streams.clear();
    this.flow.clear();
    this.failPending(streamError);
    const pings = this.pings;
    this.pings = undefined;
    for (const ping of pings ?? []) ping.callback?.(streamError, 0);
  }

  /** Fails client streams still waiting to open. */
  protected failPending(_error: Http2Error): void {}

  /** @internal */
  onSocketClose(): void {
    clearTimeout(this.endTimer);
    if (!this.destroyed) {
      const reason = this.goawayReceived
        ? `connection closed after GOAWAY ${errorCodeName(this.goawayReceived.code)}`
        : 'connection closed by the peer';
      this.closeError ??= new Http2Error(ErrorCode.CANCEL, reason, 'connection', false);
      this.shutDown(this.closeError);
    }
    this.emit('close', this.closeError);
  }

  /** @internal Deadlines, checked by the watchdog. */
  checkTimeouts(now: number): void {
    if (!this.destroyed) this.deadlines.check(now);
  }

  /** @internal A client's socket still connecting (deadlines start once it is up). */
  isConnecting(): boolean {
    return false;
  }
}
