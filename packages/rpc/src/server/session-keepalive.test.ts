// gRFC A8 server enforcement of the client's ping policy, against real peers: @grpc/grpc-js with
// an aggressive keepalive, and raw node:http2 clients that ping on a schedule we choose.

import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { afterEach, describe, it } from 'node:test';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { echoImpl } from '../../test/echo-impl.js';
import {
  EchoRequestSchema,
  EchoResponseSchema,
  EchoService,
} from '../../test/gen/shoal/testing/v1/echo_pb.js';
import { rawCallOn } from '../../test/raw-h2.js';
import { Server, type ServerOptions } from './server.js';
import { SessionKeepalive } from './session-keepalive.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ENHANCE_YOUR_CALM = http2.constants.NGHTTP2_ENHANCE_YOUR_CALM;

interface Fixture {
  port: number;
  /** Peers the server closed for too many pings. */
  closedPeers: string[];
  server: Server;
}

let open: Fixture | undefined;
afterEach(async () => {
  await open?.server.close(200);
  open = undefined;
});

async function start(keepalive: NonNullable<ServerOptions['keepalive']>): Promise<Fixture> {
  const closedPeers: string[] = [];
  const server = new Server({ keepalive: { ...keepalive, onTooManyPings: (p) => closedPeers.push(p) } });
  server.register(EchoService, echoImpl());
  const { port } = await server.listen(0);
  open = { port, closedPeers, server };
  return open;
}

/** A raw client session, connected, that records the GOAWAY frames it receives. */
async function connect(port: number) {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  const goaways: { code: number; data: string }[] = [];
  session.on('goaway', (code, _last, data) => goaways.push({ code, data: data?.toString('ascii') ?? '' }));
  session.on('error', () => {}); // the server closing the session is what some tests expect
  const closed = new Promise<void>((r) => session.once('close', () => r()));
  await new Promise((r) => session.once('connect', r));
  const ping = () =>
    new Promise<boolean>((resolve) => {
      if (session.destroyed || !session.ping((err) => resolve(!err))) resolve(false);
    });
  return { session, goaways, closed, ping };
}

async function until(condition: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!condition() && Date.now() < end) await wait(10);
}

function echoOnce(client: grpc.Client, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      '/shoal.testing.v1.EchoService/Echo',
      (m: Uint8Array) => Buffer.from(m),
      (b: Buffer) => fromBinary(EchoResponseSchema, b).text,
      toBinary(EchoRequestSchema, create(EchoRequestSchema, { text })),
      (err, reply) => (err ? reject(err) : resolve(reply ?? '')),
    );
  });
}

describe('keepalive enforcement (gRFC A8)', () => {
  it('sends a grpc-js client pinging every 100 ms GOAWAY too_many_pings; the next call reconnects', async () => {
    const { port, closedPeers } = await start({ minPingIntervalMs: 5000, permitWithoutCalls: true });
    const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      'grpc.keepalive_time_ms': 100,
      'grpc.keepalive_permit_without_calls': 1,
    });
    try {
      assert.equal(await echoOnce(client, 'first'), 'first');
      // One valid ping and three strikes: about 400 ms after the call.
      await until(() => closedPeers.length > 0, 3000);
      assert.equal(closedPeers.length, 1, 'the server closed the connection for too many pings');
      assert.match(closedPeers[0]!, /^127\.0\.0\.1:\d+$/);
      // A call racing the GOAWAY on the old connection fails like any call in flight there (A8);
      // once the channel has seen it, the next call opens a new connection.
      const channel = client.getChannel();
      await until(() => channel.getConnectivityState(false) !== grpc.connectivityState.READY, 1000);
      assert.equal(await echoOnce(client, 'after'), 'after');
    } finally {
      client.close();
    }
  });

  it('never sends GOAWAY to a client that pings within the policy during a call', async () => {
    const { port, closedPeers } = await start({ minPingIntervalMs: 100 });
    const peer = await connect(port);
    // A call that stays open: its request never ends, so the server waits for the message.
    const call = rawCallOn(peer.session, { path: '/shoal.testing.v1.EchoService/Echo', keepOpen: true });
    for (let i = 0; i < 6; i++) {
      await wait(200);
      assert.equal(await peer.ping(), true, `ping ${i + 1} answered`);
    }
    assert.deepEqual(peer.goaways, []);
    assert.deepEqual(closedPeers, []);
    assert.equal(peer.session.destroyed, false);
    peer.session.destroy();
    await call;
  });

  it('counts pings on a connection with no call as strikes unless permitWithoutCalls', async () => {
    const { port, closedPeers } = await start({ minPingIntervalMs: 100, permitWithoutCalls: false });
    const peer = await connect(port);
    const answered: boolean[] = [];
    for (let i = 0; i < 6 && !peer.session.destroyed; i++) {
      answered.push(await peer.ping());
      await wait(200);
    }
    await Promise.race([peer.closed, wait(1000)]);
    // The first ping is valid, the next three are strikes (2 h without calls); the third strike
    // is answered with GOAWAY and the connection closes.
    assert.deepEqual(peer.goaways, [{ code: ENHANCE_YOUR_CALM, data: 'too_many_pings' }]);
    assert.equal(peer.session.destroyed, true);
    assert.equal(closedPeers.length, 1);
    assert.deepEqual(answered.slice(0, 3), [true, true, true]);
  });

  it('permits pings on a connection with no call when permitWithoutCalls', async () => {
    const { port, closedPeers } = await start({ minPingIntervalMs: 100, permitWithoutCalls: true });
    const peer = await connect(port);
    for (let i = 0; i < 6; i++) {
      await wait(200);
      assert.equal(await peer.ping(), true);
    }
    assert.deepEqual(peer.goaways, []);
    assert.deepEqual(closedPeers, []);
    peer.session.close();
  });

  it('forgives strikes once the server answers a call, and closes on the third strike after', async () => {
    const { port, closedPeers } = await start({ minPingIntervalMs: 60_000, permitWithoutCalls: true });
    const peer = await connect(port);
    // One valid ping, two strikes.
    for (let i = 0; i < 3; i++) assert.equal(await peer.ping(), true);
    const body = toBinary(EchoRequestSchema, create(EchoRequestSchema, { text: 'x' }));
    const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, body.length]), body]);
    const res = await rawCallOn(peer.session, {
      path: '/shoal.testing.v1.EchoService/Echo',
      chunks: [frame],
    });
    assert.equal(res.trailers['grpc-status'], '0');
    // Strikes start over: one valid ping, two strikes, and the connection is still open.
    for (let i = 0; i < 3; i++) assert.equal(await peer.ping(), true);
    assert.deepEqual(peer.goaways, []);
    // The third strike since the call closes it.
    await peer.ping();
    await Promise.race([peer.closed, wait(1000)]);
    assert.deepEqual(peer.goaways, [{ code: ENHANCE_YOUR_CALM, data: 'too_many_pings' }]);
    assert.equal(closedPeers.length, 1);
  });

  it('forgives strikes each time the server sends a message on a long-lived stream (C-core BDP pings)', async () => {
    // gRPC C-core pings after DATA it receives (BDP estimation). On an xDS stream that gets a push
    // every few seconds that is one ping per push, far below a 5-minute policy, and legal: A8
    // resets the strikes whenever the server sends DATA.
    const { port, closedPeers } = await start({ minPingIntervalMs: 60_000, permitWithoutCalls: true });
    const peer = await connect(port);
    const stream = peer.session.request({
      ':method': 'POST',
      ':path': '/shoal.testing.v1.EchoService/EchoBidi',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    stream.on('error', () => {});
    const body = toBinary(EchoRequestSchema, create(EchoRequestSchema, { text: 'push' }));
    const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, body.length]), body]);
    for (let i = 0; i < 6; i++) {
      const answered = new Promise((r) => stream.once('data', r));
      stream.write(frame);
      await Promise.race([answered, peer.closed]);
      assert.deepEqual(peer.goaways, [], `no GOAWAY before message ${i + 1}`);
      assert.equal(await peer.ping(), true, `ping after message ${i + 1} answered`);
    }
    assert.deepEqual(peer.goaways, []);
    assert.deepEqual(closedPeers, []);
    stream.close();
    peer.session.close();
  });

  it('rejects a minPingIntervalMs that is negative or not a number', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(
        () =>
          new SessionKeepalive({
            timeMs: 0,
            timeoutMs: 0,
            minPingIntervalMs: bad,
            permitWithoutCalls: false,
          }),
        /keepalive\.minPingIntervalMs: must be a finite number >= 0/,
      );
      assert.throws(() => new Server({ keepalive: { minPingIntervalMs: bad } }), RangeError);
    }
  });
});
