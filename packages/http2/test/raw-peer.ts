// A peer that puts exact bytes on the wire and reads back exactly what came: frames built by
// hand (RFC 9113 §4.1), header blocks as HPACK literals without indexing (RFC 7541 §6.2.2, no
// Huffman), and a frame reader of its own. The conformance, defence and fuzz suites drive
// servers with it; it can also stand in as a server for client tests.

import net from 'node:net';

export const T = {
  DATA: 0,
  HEADERS: 1,
  PRIORITY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PUSH_PROMISE: 5,
  PING: 6,
  GOAWAY: 7,
  WINDOW_UPDATE: 8,
  CONTINUATION: 9,
} as const;

export const F = { END_STREAM: 1, ACK: 1, END_HEADERS: 4, PADDED: 8, PRIORITY: 0x20 } as const;

export const E = {
  NO_ERROR: 0,
  PROTOCOL_ERROR: 1,
  INTERNAL_ERROR: 2,
  FLOW_CONTROL_ERROR: 3,
  SETTINGS_TIMEOUT: 4,
  STREAM_CLOSED: 5,
  FRAME_SIZE_ERROR: 6,
  REFUSED_STREAM: 7,
  CANCEL: 8,
  COMPRESSION_ERROR: 9,
  ENHANCE_YOUR_CALM: 11,
} as const;

export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export interface Frame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

/** One frame's bytes. */
export function frame(
  type: number,
  flags: number,
  streamId: number,
  payload: Uint8Array = Buffer.alloc(0),
): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId >>> 0, 5);
  return Buffer.concat([header, payload]);
}

export function settingsPayload(pairs: [number, number][]): Buffer {
  const out = Buffer.alloc(pairs.length * 6);
  pairs.forEach(([id, value], i) => {
    out.writeUInt16BE(id, i * 6);
    out.writeUInt32BE(value, i * 6 + 2);
  });
  return out;
}

export function u32(...values: number[]): Buffer {
  const out = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => {
    out.writeUInt32BE(v >>> 0, i * 4);
  });
  return out;
}

/** An HPACK integer (RFC 7541 §5.1). */
export function hpackInt(value: number, prefixBits: number, flags: number): Buffer {
  const max = (1 << prefixBits) - 1;
  if (value < max) return Buffer.from([flags | value]);
  const bytes = [flags | max];
  let rest = value - max;
  while (rest >= 128) {
    bytes.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

function hpackString(text: string): Buffer {
  const bytes = Buffer.from(text, 'latin1');
  return Buffer.concat([hpackInt(bytes.length, 7, 0), bytes]);
}

/** A header block of literals without indexing, in the order given. */
export function block(fields: [string, string][]): Buffer {
  return Buffer.concat(
    fields.map(([n, v]) => Buffer.concat([Buffer.from([0]), hpackString(n), hpackString(v)])),
  );
}

/** A literal with incremental indexing (it enters the peer's dynamic table). */
export function indexedLiteral(name: string, value: string): Buffer {
  return Buffer.concat([Buffer.from([0x40]), hpackString(name), hpackString(value)]);
}

export const requestFields = (path = '/', method = 'POST'): [string, string][] => [
  [':method', method],
  [':scheme', 'http'],
  [':path', path],
  [':authority', 'localhost'],
];

/** What the peer saw end the connection: GOAWAY (with its code), or only the close. */
export interface ConnectionEnd {
  goaway: { lastStreamId: number; code: number; debug: string } | undefined;
  closed: boolean;
}

export class RawPeer {
  readonly frames: Frame[] = [];
  closed = false;
  /** A peer acting as a server saw an invalid client preface. */
  prefaceError = false;
  private pending = Buffer.alloc(0);
  private waiters: (() => void)[] = [];

  /** Client preface bytes still to skip (a peer acting as a server). */
  prefaceLeft = 0;

  constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      if (this.prefaceLeft > 0) {
        const n = Math.min(this.prefaceLeft, chunk.length);
        if (
          !chunk
            .subarray(0, n)
            .equals(
              PREFACE.subarray(PREFACE.length - this.prefaceLeft, PREFACE.length - this.prefaceLeft + n),
            )
        ) {
          this.prefaceError = true;
        }
        this.prefaceLeft -= n;
        chunk = chunk.subarray(n);
      }
      this.pending = Buffer.concat([this.pending, chunk]);
      while (this.pending.length >= 9) {
        const length = this.pending.readUIntBE(0, 3);
        if (this.pending.length < 9 + length) break;
        this.frames.push({
          type: this.pending[3]!,
          flags: this.pending[4]!,
          streamId: this.pending.readUInt32BE(5) & 0x7fffffff,
          payload: Buffer.from(this.pending.subarray(9, 9 + length)),
        });
        this.pending = this.pending.subarray(9 + length);
      }
      this.wake();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  /**
   * Connects to a server and performs the handshake: preface, our SETTINGS (`settings`), the
   * server's SETTINGS acknowledged, ours acknowledged.
   */
  static async connect(port: number, settings: [number, number][] = []): Promise<RawPeer> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const peer = new RawPeer(socket);
    peer.send(PREFACE, frame(T.SETTINGS, 0, 0, settingsPayload(settings)));
    const serverSettings = await peer.next((f) => f.type === T.SETTINGS && !(f.flags & F.ACK));
    if (!serverSettings) throw new Error('the server sent no SETTINGS');
    peer.send(frame(T.SETTINGS, F.ACK, 0));
    await peer.next((f) => f.type === T.SETTINGS && (f.flags & F.ACK) !== 0);
    return peer;
  }

  /** A peer acting as a server on an accepted socket: the client preface is checked and skipped. */
  static server(socket: net.Socket, settings: [number, number][] = []): RawPeer {
    const peer = new RawPeer(socket);
    peer.prefaceLeft = PREFACE.length;
    peer.send(frame(T.SETTINGS, 0, 0, settingsPayload(settings)));
    return peer;
  }

  send(...chunks: Buffer[]): void {
    if (!this.socket.destroyed) this.socket.write(Buffer.concat(chunks));
  }

  headers(streamId: number, fields: [string, string][], flags = F.END_HEADERS | F.END_STREAM): void {
    this.send(frame(T.HEADERS, flags, streamId, block(fields)));
  }

  /** A request on `streamId`: POST / with END_STREAM unless `body` is given. */
  request(streamId: number, body?: Buffer, fields = requestFields()): void {
    if (body === undefined) {
      this.headers(streamId, fields);
      return;
    }
    this.headers(streamId, fields, F.END_HEADERS);
    this.send(frame(T.DATA, F.END_STREAM, streamId, body));
  }

  /** The first frame (from the start, or after `from`) matching `match`; undefined if the connection closes or time runs out. */
  async next(match: (f: Frame) => boolean, timeoutMs = 3000, from = 0): Promise<Frame | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.slice(from).find(match);
      if (found) return found;
      if (this.closed || Date.now() > deadline) return undefined;
      await this.wait(deadline - Date.now());
    }
  }

  /** Waits for the connection to end; returns the GOAWAY it got, if any. */
  async end(timeoutMs = 3000): Promise<ConnectionEnd> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await this.wait(deadline - Date.now());
    const goaway = this.frames.find((f) => f.type === T.GOAWAY);
    return {
      closed: this.closed,
      goaway: goaway && {
        lastStreamId: goaway.payload.readUInt32BE(0) & 0x7fffffff,
        code: goaway.payload.readUInt32BE(4),
        debug: goaway.payload.subarray(8).toString('utf8'),
      },
    };
  }

  /** The RST_STREAM code the peer sent on `streamId`, if one comes. */
  async rstCode(streamId: number, timeoutMs = 3000): Promise<number | undefined> {
    const rst = await this.next((f) => f.type === T.RST_STREAM && f.streamId === streamId, timeoutMs);
    return rst?.payload.readUInt32BE(0);
  }

  /** Sends a PING and waits for its ACK: proof the connection is alive and has read all before it. */
  async alive(timeoutMs = 3000): Promise<boolean> {
    const payload = Buffer.from([1, 2, 3, 4, 5, 6, 7, Math.floor(Math.random() * 256)]);
    const from = this.frames.length;
    this.send(frame(T.PING, 0, 0, payload));
    const ack = await this.next(
      (f) => f.type === T.PING && (f.flags & F.ACK) !== 0 && f.payload.equals(payload),
      timeoutMs,
      from,
    );
    return ack !== undefined;
  }

  close(): void {
    this.socket.destroy();
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(1, ms));
      const waiters = this.waiters;
      function done() {
        clearTimeout(timer);
        const i = waiters.indexOf(done);
        if (i >= 0) waiters.splice(i, 1);
        resolve();
      }
      waiters.push(done);
    });
  }

  private wake(): void {
    const waiters = this.waiters.splice(0);
    for (const w of waiters) w();
  }
}
