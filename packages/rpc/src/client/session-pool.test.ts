// gRFC A8 client keepalive of the session pool, against real peers: raw node:http2 servers that
// count the PINGs they receive, a TCP server that speaks just enough HTTP/2 and then goes silent,
// and Shoal's own server enforcing A8's ping policy (too_many_pings). @grpc/grpc-js 1.14 servers
// accept grpc.http2.min_ping_interval_without_data_ms and max_ping_strikes but do not enforce them
// (no GOAWAY for a client pinging every 100 ms), so they cannot stand in for the strict server.

import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, it } from 'node:test';
import { makeTestCertificates } from '@shoal/testing';
import { echoImpl } from '../../test/echo-impl.js';
import { EchoService } from '../../test/gen/shoal/testing/v1/echo_pb.js';
import { Code } from '../code.js';
import { RpcError } from '../rpc-error.js';
import { Server } from '../server/server.js';
import { createClient } from './create-client.js';
import { SessionPool, type SessionPoolOptions } from './session-pool.js';
import { GrpcTransport } from './transport.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** An empty gRPC message (EchoResponse with no fields). */
const emptyMessage = Buffer.from([0, 0, 0, 0, 0]);

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A raw node:http2 server: `onStream` answers each call; every PING it receives is counted. */
async function rawServer(
  onStream: (stream: http2.ServerHttp2Stream) => void,
  settings: http2.Settings = {},
): Promise<{ port: number; events: string[] }> {
  const events: string[] = [];
  const server = http2.createServer({ settings });
  server.on('session', (s) => s.on('ping', () => events.push('ping')));
  server.on('stream', (stream) => {
    events.push('stream');
    stream.on('error', () => {});
    onStream(stream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(r)));
  return { port: (server.address() as net.AddressInfo).port, events };
}

function client(port: number, options: SessionPoolOptions) {
  const pool = new SessionPool(options);
  cleanups.push(() => pool.close());
  return createClient(EchoService, new GrpcTransport({ address: `127.0.0.1:${port}`, pool }));
}

/** Answers a gRPC call with `count` empty messages `everyMs` apart, then OK after `quietMs` more. */
function streamEvery(stream: http2.ServerHttp2Stream, count: number, everyMs: number, quietMs: number) {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
  let sent = 0;
  const timer = setInterval(() => {
    if (stream.destroyed) return clearInterval(timer);
    stream.write(emptyMessage);
    if (++sent < count) return;
    clearInterval(timer);
    setTimeout(() => stream.destroyed || stream.end(), quietMs);
  }, everyMs);
}

async function collect<T>(messages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const m of messages) out.push(m);
  return out;
}

describe('session pool keepalive (gRFC A8)', () => {
  it('does not ping a connection that keeps receiving data, and pings it once it goes quiet', async () => {
    const { port, events } = await rawServer((stream) => {
      // 1.2 s of a message every 50 ms, then 600 ms of silence before the status.
      streamEvery(stream, 24, 50, 600);
    });
    const echo = client(port, { keepalive: { timeMs: 200, timeoutMs: 1000 } });
    const messages = echo.echoServerStream({ repeat: 1 });
    const received: number[] = [];
    const start = performance.now();
    let pingsWhileBusy = -1;
    for await (const _ of messages) {
      received.push(performance.now() - start);
      if (received.length === 24) pingsWhileBusy = events.filter((e) => e === 'ping').length;
    }
    assert.equal(received.length, 24);
    assert.equal(pingsWhileBusy, 0, `pings during 1.2 s of data every 50 ms: ${events.join(',')}`);
    // 600 ms quiet at a 200 ms keepalive: pinged, and answered, so the call ended OK.
    const quietPings = events.filter((e) => e === 'ping').length;
    assert.ok(quietPings >= 1 && quietPings <= 3, `${quietPings} pings in 600 ms quiet`);
  });

  it('fails a call UNAVAILABLE within time + timeout when the server goes silent', async () => {
    // Just enough HTTP/2 for the client to start a call: SETTINGS and an ACK of the client's,
    // then nothing, ever (PINGs and HEADERS are read and ignored).
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.write(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])); // SETTINGS
      socket.write(Buffer.from([0, 0, 0, 4, 1, 0, 0, 0, 0])); // SETTINGS ACK
      socket.resume();
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    cleanups.push(() => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => silent.close(r));
    });
    const timeMs = 200;
    const timeoutMs = 300;
    const echo = client((silent.address() as net.AddressInfo).port, { keepalive: { timeMs, timeoutMs } });
    const start = performance.now();
    const error = await echo.echo({ text: 'anyone?' }).then(
      () => assert.fail('the call succeeded on a silent connection'),
      (err: unknown) => err,
    );
    const elapsed = performance.now() - start;
    assert.ok(error instanceof RpcError);
    assert.equal(error.code, Code.UNAVAILABLE, error.message);
    assert.match(error.message, /keepalive ping not answered within 300 ms/);
    // A ping at most a tick (time/4) after `time`, then `timeout`; plus scheduling slack.
    assert.ok(elapsed >= timeMs + timeoutMs - 20, `failed after ${elapsed} ms`);
    assert.ok(elapsed < timeMs * 1.25 + timeoutMs + 250, `failed after ${elapsed} ms`);
  });

  it('leaves a connection with no call alone unless permitWithoutCalls, and pings before a late call', async () => {
    const answer = (stream: http2.ServerHttp2Stream) => streamEvery(stream, 1, 1, 0);
    const idle = await rawServer(answer);
    const echoIdle = client(idle.port, { keepalive: { timeMs: 100, timeoutMs: 1000 } });
    assert.equal((await collect(echoIdle.echoServerStream({ repeat: 1 }))).length, 1);
    await wait(450);
    assert.deepEqual(idle.events, ['stream'], 'no pings without calls');
    // The connection has been quiet longer than `time`: the next call is preceded by a PING, so a
    // dead connection would be found within `timeout` (A8).
    assert.equal((await collect(echoIdle.echoServerStream({ repeat: 1 }))).length, 1);
    assert.deepEqual(idle.events.slice(0, 3), ['stream', 'ping', 'stream']);

    const permitted = await rawServer(answer);
    const echoPermitted = client(permitted.port, {
      keepalive: { timeMs: 100, timeoutMs: 1000, permitWithoutCalls: true },
    });
    await collect(echoPermitted.echoServerStream({ repeat: 1 }));
    await wait(450);
    const pings = permitted.events.filter((e) => e === 'ping').length;
    assert.ok(pings >= 2 && pings <= 4, `${pings} pings in 450 ms idle at 100 ms, permitWithoutCalls`);
  });

  it('doubles the keepalive time after GOAWAY too_many_pings from an enforcing server', async () => {
    const serverClosed: string[] = [];
    const server = new Server({
      keepalive: {
        minPingIntervalMs: 1000,
        permitWithoutCalls: false,
        onTooManyPings: (p) => serverClosed.push(p),
      },
    });
    server.register(EchoService, echoImpl());
    const { port } = await server.listen(0);
    cleanups.push(() => server.close(200));
    const doubled: [string, number][] = [];
    const echo = client(port, {
      keepalive: { timeMs: 100, timeoutMs: 1000, onTooManyPings: (a, ms) => doubled.push([a, ms]) },
    });
    // Calls of 1.2 s with nothing received meanwhile. A 100 ms keepalive earns three strikes in
    // about 400 ms and the server closes the connection, failing the call (A8); each GOAWAY
    // doubles the time (200 ms: closed at about 800 ms) until the pings are rare enough to pass
    // (400 ms: the third strike would come at 1.6 s).
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const outcome = await echo.echo({ text: 'slow', delayMs: 1200 }).then(
        (r) => r.text,
        (err: RpcError) => Code[err.code],
      );
      outcomes.push(outcome);
      if (outcome === 'slow') break;
    }
    assert.equal(outcomes[0], 'UNAVAILABLE', outcomes.join(','));
    assert.equal(outcomes.at(-1), 'slow', outcomes.join(','));
    assert.ok(
      outcomes.slice(0, -1).every((o) => o === 'UNAVAILABLE'),
      outcomes.join(','),
    );
    // One doubling per connection closed, each logged once, in order.
    assert.equal(doubled.length, outcomes.length - 1);
    assert.equal(serverClosed.length, outcomes.length - 1);
    doubled.forEach(([address, ms], i) => {
      assert.equal(address, `127.0.0.1:${port}`);
      assert.equal(ms, 100 * 2 ** (i + 1));
    });
    // Later short calls go through on the slower connection.
    assert.equal((await echo.echo({ text: 'later' })).text, 'later');
  });

  it('doubles once when several connections to one address get too_many_pings', async () => {
    const sessions = new Set<http2.ServerHttp2Session>();
    const calm = Buffer.from('too_many_pings', 'ascii');
    // One stream per connection, so two calls open two connections; any PING is "too many".
    const server = http2.createServer({ settings: { maxConcurrentStreams: 1 } });
    server.on('session', (s) => {
      sessions.add(s);
      s.on('error', () => {});
      s.on('ping', () => {
        s.goaway(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM, 0, calm);
        s.destroy();
      });
    });
    let streams = 0;
    server.on('stream', (stream) => {
      streams++;
      stream.on('error', () => {}); // never answered
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => {
      for (const s of sessions) s.destroy();
      return new Promise((r) => server.close(r));
    });
    const doubled: number[] = [];
    const port = (server.address() as net.AddressInfo).port;
    const echo = client(port, {
      keepalive: { timeMs: 100, timeoutMs: 1000, onTooManyPings: (_a, ms) => doubled.push(ms) },
    });
    const outcome = (p: Promise<unknown>) =>
      p.then(
        () => 'OK',
        (err: RpcError) => Code[err.code],
      );
    const first = outcome(echo.echo({ text: 'a' }));
    // Once the first call reached the server its SETTINGS are known: the second call needs a
    // second connection.
    while (streams === 0) await wait(5);
    const calls = [first, outcome(echo.echo({ text: 'b' }))];
    assert.deepEqual(await Promise.all(calls), ['UNAVAILABLE', 'UNAVAILABLE']);
    assert.equal(sessions.size, 2, 'two connections');
    assert.deepEqual(doubled, [200]);
  });

  it('does not ping before the connection is up (a slow TLS handshake)', async () => {
    const certs = makeTestCertificates();
    const events: string[] = [];
    const tlsServer = http2.createSecureServer({ key: certs.key, cert: certs.cert });
    tlsServer.on('session', (s) => s.on('ping', () => events.push('ping')));
    tlsServer.on('stream', (stream) => {
      stream.on('error', () => {});
      streamEvery(stream, 1, 1, 0);
    });
    await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => tlsServer.close(r)));
    // A TCP relay that holds each connection 600 ms before passing it on: the client's TLS
    // handshake (and so the HTTP/2 connection) takes that long.
    const relayed = new Set<net.Socket>();
    const relay = net.createServer((down) => {
      relayed.add(down);
      down.pause();
      down.on('error', () => {});
      setTimeout(() => {
        const up = net.connect((tlsServer.address() as net.AddressInfo).port, '127.0.0.1');
        relayed.add(up);
        up.on('error', () => {});
        down.pipe(up).pipe(down);
        down.resume();
      }, 600);
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    cleanups.push(() => {
      for (const s of relayed) s.destroy();
      return new Promise((r) => relay.close(r));
    });
    const pool = new SessionPool({ tls: { ca: certs.ca }, keepalive: { timeMs: 250, timeoutMs: 1000 } });
    cleanups.push(() => pool.close());
    const port = (relay.address() as net.AddressInfo).port;
    const echo = createClient(
      EchoService,
      new GrpcTransport({ address: `127.0.0.1:${port}`, pool, tls: { ca: certs.ca } }),
    );
    // The call waits 600 ms for its connection. Keepalive time (250 ms: due during the handshake
    // if it counted from the dial) counts from when the connection is up, so the server's
    // SETTINGS and the answer come before a ping is due (at 50 ms, a loaded machine sometimes
    // took longer than that to answer).
    assert.equal((await collect(echo.echoServerStream({ repeat: 1 }))).length, 1);
    assert.deepEqual(events, []);
  });

  it('rejects a NaN keepalive time and a timeout that is not a positive delay', () => {
    assert.throws(
      () => new SessionPool({ keepalive: { timeMs: Number.NaN } }),
      /keepalive\.timeMs: must be a number/,
    );
    for (const timeoutMs of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(
        () => new SessionPool({ keepalive: { timeMs: 1000, timeoutMs } }),
        /keepalive\.timeoutMs: must be > 0/,
      );
    }
    // Off, as documented: no timer, nothing thrown.
    new SessionPool({ keepalive: { timeMs: Number.POSITIVE_INFINITY } }).close();
    new SessionPool({ keepalive: { timeMs: 0 } }).close();
  });
});
