// What a new connection speaks, told from its first bytes: TLS (a handshake record, content type
// 0x16, RFC 8446 §5.1), HTTP/2 (the client preface "PRI * HTTP/2.0", RFC 9113 §3.4) or HTTP/1.x.
// The bytes read go back into the socket, so whoever takes it next (node:tls, node:http2,
// node:http) reads them as if nothing had happened. This is the one place of the server that
// looks at first bytes.

import type net from 'node:net';

export type ConnectionKind = 'tls' | 'h2' | 'http1';

const TLS_HANDSHAKE = 0x16;
const PREFACE = Buffer.from('PRI', 'latin1');

/** The kind, or undefined when the bytes so far are too few to tell. */
export function classifyFirstBytes(bytes: Buffer): ConnectionKind | undefined {
  if (bytes.length === 0) return undefined;
  if (bytes[0] === TLS_HANDSHAKE) return 'tls';
  const n = Math.min(bytes.length, PREFACE.length);
  if (bytes.subarray(0, n).equals(PREFACE.subarray(0, n))) return n === PREFACE.length ? 'h2' : undefined;
  return 'http1';
}

/**
 * Reads until the kind is known, puts the bytes back, pauses the socket and calls `then`. A peer
 * that closes or fails first is dropped silently.
 */
export function sniffConnection(socket: net.Socket, then: (kind: ConnectionKind) => void): void {
  socket.on('error', () => {}); // a peer that resets before speaking is not our error
  let seen: Buffer = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    const kind = classifyFirstBytes(seen);
    if (kind === undefined) return;
    socket.off('data', onData);
    socket.pause();
    socket.unshift(seen);
    then(kind);
  };
  socket.on('data', onData);
}
