// One port, several protocols: a plaintext connection is told apart by its first bytes. HTTP/2
// with prior knowledge opens with the client preface (RFC 9113 §3.4), a TLS connection with a
// handshake record (0x16, RFC 8446 §5.1), anything else is taken for HTTP/1.1. This is the one
// place that looks: a listener that also accepts TLS on its plaintext port routes 'tls' too.

import type net from 'node:net';

export type FirstBytes = 'h2c' | 'tls' | 'http1';

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
/** A connection that sends nothing for this long is closed. */
const SNIFF_TIMEOUT_MS = 10_000;

/**
 * Reads a new connection's first bytes and calls `route` with what they show and the bytes read
 * (to be handed on, or put back with socket.unshift()). The socket is paused when route runs.
 */
export function sniff(socket: net.Socket, route: (kind: FirstBytes, head: Buffer) => void): void {
  socket.on('error', ignore); // a peer that resets before speaking is not our error
  const timer = setTimeout(() => socket.destroy(), SNIFF_TIMEOUT_MS);
  timer.unref();
  let head: Buffer | undefined;
  const onData = (chunk: Buffer) => {
    head = head === undefined ? chunk : Buffer.concat([head, chunk]);
    const kind = classify(head);
    if (kind === undefined) return; // a preface still arriving
    clearTimeout(timer);
    socket.off('data', onData);
    socket.pause();
    route(kind, head);
  };
  socket.on('data', onData);
}

function ignore(): void {}

/** What the bytes so far show; undefined while they may still be the start of a preface. */
export function classify(head: Buffer): FirstBytes | undefined {
  if (head[0] === 0x16) return 'tls';
  const n = Math.min(head.length, PREFACE.length);
  if (head.compare(PREFACE, 0, n, 0, n) !== 0) return 'http1';
  return n === PREFACE.length ? 'h2c' : undefined;
}
