// Conformance of the client side (RFC 9113), against a server of exact bytes: the preface and
// SETTINGS, push refused, GOAWAY, the server's stream limit and windows, informational and
// malformed responses, stream ids running out, PING, HPACK table size updates.

import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type HeaderSink, HpackDecoder } from '../../src/hpack/hpack-decoder.js';
import {
  type ClientConnection,
  connect,
  encodeHeaderBlock,
  Http2Client,
  type Http2Error,
  type Http2Stream,
} from '../../src/index.js';
import { block, E, F, type Frame, frame, hpackInt, RawPeer, T, u32 } from '../raw-peer.js';

let listener: net.Server;
let port = 0;
const accepted: ((peer: RawPeer) => void)[] = [];
const opened: ClientConnection[] = [];

before(async () => {
  listener = net.createServer((socket) => {
    const next = accepted.shift();
    const peer = RawPeer.server(socket, next ? pendingSettings : []);
    next?.(peer);
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  port = (listener.address() as net.AddressInfo).port;
});
after(async () => {
  for (const c of opened) c.destroy();
  await new Promise((r) => listener.close(r));
});

let pendingSettings: [number, number][] = [];

/** A client connection and the raw server peer it reached, the server announcing `settings`. */
async function pair(
  settings: [number, number][] = [],
  maxStreamId?: number,
): Promise<{ client: ClientConnection; server: RawPeer }> {
  pendingSettings = settings;
  const server = new Promise<RawPeer>((resolve) => accepted.push(resolve));
  const client = connect({ host: '127.0.0.1', port, ...(maxStreamId !== undefined && { maxStreamId }) });
  opened.push(client);
  return { client, server: await server };
}

const get = { ':method': 'GET', ':scheme': 'http', ':authority': 'localhost', ':path': '/' };

class Fields implements HeaderSink {
  list: [string, string][] = [];
  field(name: string, value: string): void {
    this.list.push([name, value]);
  }
}

function decode(decoder: HpackDecoder, f: Frame): [string, string][] {
  const sink = new Fields();
  decoder.decode(f.payload, 0, f.payload.length, 1 << 20, sink);
  return sink.list;
}

/** Everything a stream tells its handler, recorded. */
function record(stream: Http2Stream) {
  const events: string[] = [];
  let body = Buffer.alloc(0);
  const closed = new Promise<Http2Error | undefined>((resolve) =>
    stream.setHandler({
      onHeaders: (h, end) => events.push(`headers ${h[':status']}${end ? ' end' : ''}`),
      onData: (d) => {
        body = Buffer.concat([body, d]);
      },
      onTrailers: (t) => events.push(`trailers ${JSON.stringify(t)}`),
      onEnd: () => events.push('end'),
      onClose: resolve,
    }),
  );
  return { events, closed, body: () => body };
}

const response = (status = '200') => block([[':status', status]]);

describe('client conformance (RFC 9113)', () => {
  it('sends the preface, then SETTINGS with ENABLE_PUSH 0, and acknowledges the server SETTINGS', async () => {
    const { server } = await pair([[3, 100]]);
    const settings = await server.next((f) => f.type === T.SETTINGS && f.flags === 0);
    assert.ok(settings && !server.prefaceError);
    assert.equal(server.frames[0]?.type, T.SETTINGS, 'SETTINGS is the first frame');
    const pairs = new Map<number, number>();
    for (let i = 0; i < settings.payload.length; i += 6)
      pairs.set(settings.payload.readUInt16BE(i), settings.payload.readUInt32BE(i + 2));
    assert.equal(pairs.get(2), 0);
    assert.ok(await server.next((f) => f.type === T.SETTINGS && f.flags === F.ACK));
  });

  it('sends a request as HEADERS with the pseudo-headers first, and reads the response', async () => {
    const { client, server } = await pair();
    const stream = client.request({ 'x-custom': 'v', ...get }, { endStream: true });
    const r = record(stream);
    const headers = await server.next((f) => f.type === T.HEADERS);
    assert.ok(headers && headers.flags & F.END_STREAM && headers.flags & F.END_HEADERS);
    const fields = decode(new HpackDecoder(4096), headers);
    assert.deepEqual(
      fields
        .slice(0, 4)
        .map(([n]) => n)
        .sort(),
      [':authority', ':method', ':path', ':scheme'],
    );
    assert.deepEqual(fields[4], ['x-custom', 'v']);
    server.send(
      frame(T.HEADERS, F.END_HEADERS, 1, response()),
      frame(T.DATA, F.END_STREAM, 1, Buffer.from('hello')),
    );
    assert.equal(await r.closed, undefined);
    assert.deepEqual(r.events, ['headers 200', 'end']);
    assert.equal(r.body().toString(), 'hello');
  });

  it('PUSH_PROMISE is a connection error PROTOCOL_ERROR (push is disabled)', async () => {
    const { client, server } = await pair();
    client.request(get, { endStream: true });
    await server.next((f) => f.type === T.HEADERS);
    server.send(frame(T.PUSH_PROMISE, F.END_HEADERS, 1, Buffer.concat([u32(2), response()])));
    const end = await server.end();
    assert.equal(end.goaway?.code, E.PROTOCOL_ERROR);
  });

  it('SETTINGS_ENABLE_PUSH 1 from a server is a connection error PROTOCOL_ERROR', async () => {
    const { server } = await pair([[2, 1]]);
    assert.equal((await server.end()).goaway?.code, E.PROTOCOL_ERROR);
  });

  it('GOAWAY: streams above its last stream id fail with REFUSED_STREAM, the others finish', async () => {
    const { client, server } = await pair();
    const first = record(client.request(get, { endStream: true }));
    const second = record(client.request(get, { endStream: true }));
    await server.next((f) => f.type === T.HEADERS && f.streamId === 3);
    let draining = false;
    client.once('draining', () => (draining = true));
    server.send(frame(T.GOAWAY, 0, 0, u32(1, E.NO_ERROR)));
    const refused = await second.closed;
    assert.equal(refused?.code, E.REFUSED_STREAM);
    assert.ok(draining && !client.canRequest);
    server.send(frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, 1, response()));
    assert.equal(await first.closed, undefined);
    assert.equal((await server.end()).closed, true, 'the client closes once its last stream is done');
  });

  it("holds streams beyond the server's SETTINGS_MAX_CONCURRENT_STREAMS until one closes", async () => {
    const { client, server } = await pair([[3, 1]]);
    await server.next((f) => f.type === T.SETTINGS && f.flags === F.ACK);
    const first = record(client.request(get, { endStream: true }));
    const second = record(client.request(get, { endStream: true }));
    await server.next((f) => f.type === T.HEADERS && f.streamId === 1);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(
      server.frames.some((f) => f.type === T.HEADERS && f.streamId === 3),
      false,
    );
    server.send(frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, 1, response()));
    await first.closed;
    assert.ok(await server.next((f) => f.type === T.HEADERS && f.streamId === 3));
    server.send(frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, 3, response()));
    assert.equal(await second.closed, undefined);
  });

  it("sends DATA within the server's window and resumes on WINDOW_UPDATE", async () => {
    const { client, server } = await pair([[4, 1]]);
    await server.next((f) => f.type === T.SETTINGS && f.flags === F.ACK);
    const stream = client.request({ ...get, ':method': 'POST' });
    stream.write(Buffer.from('abc'), true);
    const firstData = await server.next((f) => f.type === T.DATA);
    assert.equal(firstData?.payload.toString(), 'a');
    server.send(frame(T.WINDOW_UPDATE, 0, 1, u32(10)));
    const last = await server.next((f) => f.type === T.DATA && (f.flags & F.END_STREAM) !== 0);
    assert.equal(last?.payload.toString(), 'bc');
  });

  it('skips 1xx informational responses', async () => {
    const { client, server } = await pair();
    const r = record(client.request(get, { endStream: true }));
    await server.next((f) => f.type === T.HEADERS);
    server.send(
      frame(T.HEADERS, F.END_HEADERS, 1, response('103')),
      frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, 1, response('204')),
    );
    assert.equal(await r.closed, undefined);
    assert.deepEqual(r.events, ['headers 204 end', 'end']);
  });

  it('a malformed response is a stream error PROTOCOL_ERROR', async () => {
    const { client, server } = await pair();
    const r = record(client.request(get, { endStream: true }));
    await server.next((f) => f.type === T.HEADERS);
    server.send(
      frame(
        T.HEADERS,
        F.END_HEADERS | F.END_STREAM,
        1,
        block([
          [':status', '200'],
          ['Upper', 'x'],
        ]),
      ),
    );
    const error = await r.closed;
    assert.equal(error?.code, E.PROTOCOL_ERROR);
    assert.match(error!.message, /invalid field name "Upper"/);
    assert.equal(await server.rstCode(1), E.PROTOCOL_ERROR);
  });

  it('DATA before the response headers is a stream error PROTOCOL_ERROR', async () => {
    const { client, server } = await pair();
    const r = record(client.request(get, { endStream: true }));
    await server.next((f) => f.type === T.HEADERS);
    server.send(frame(T.DATA, F.END_STREAM, 1, Buffer.from('x')));
    assert.equal((await r.closed)?.code, E.PROTOCOL_ERROR);
  });

  it('HEADERS on a stream the client never opened is a connection error PROTOCOL_ERROR', async () => {
    const { server } = await pair();
    server.send(frame(T.HEADERS, F.END_HEADERS, 2, response()));
    assert.equal((await server.end()).goaway?.code, E.PROTOCOL_ERROR);
  });

  it('a RST_STREAM NO_ERROR after a complete response keeps the response', async () => {
    const { client, server } = await pair();
    const stream = client.request({ ...get, ':method': 'POST' });
    stream.write(Buffer.from('more to come'));
    const r = record(stream);
    await server.next((f) => f.type === T.DATA);
    server.send(frame(T.HEADERS, F.END_HEADERS, 1, response()), frame(T.DATA, 0, 1, Buffer.from('ok')));
    server.send(
      frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, 1, block([['grpc-status', '0']])),
      frame(T.RST_STREAM, 0, 1, u32(E.NO_ERROR)),
    );
    assert.equal(await r.closed, undefined);
    assert.equal(r.body().toString(), 'ok');
    assert.deepEqual(r.events, ['headers 200', 'trailers {"grpc-status":"0"}', 'end']);
  });

  it('answers PING with an ACK of the same payload', async () => {
    const { server } = await pair();
    const payload = Buffer.from('12345678');
    server.send(frame(T.PING, 0, 0, payload));
    assert.ok(await server.next((f) => f.type === T.PING && f.flags === F.ACK && f.payload.equals(payload)));
  });

  it("credits the server's DATA back with WINDOW_UPDATE as it reads", async () => {
    const { client, server } = await pair();
    const r = record(client.request(get, { endStream: true }));
    await server.next((f) => f.type === T.HEADERS);
    server.send(frame(T.HEADERS, F.END_HEADERS, 1, response()));
    for (let i = 0; i < 12; i++) server.send(frame(T.DATA, 0, 1, Buffer.alloc(16_384)));
    server.send(frame(T.DATA, F.END_STREAM, 1, Buffer.alloc(0)));
    assert.equal(await r.closed, undefined);
    assert.equal(r.body().length, 12 * 16_384);
    assert.ok(
      await server.next((f) => f.type === T.WINDOW_UPDATE && f.streamId === 1),
      'no stream WINDOW_UPDATE',
    );
  });

  it('starts its next header block with a size update when the server lowers SETTINGS_HEADER_TABLE_SIZE', async () => {
    const { client, server } = await pair([[1, 0]]);
    await server.next((f) => f.type === T.SETTINGS && f.flags === F.ACK);
    client.request(get, { endStream: true });
    const headers = await server.next((f) => f.type === T.HEADERS);
    assert.deepEqual(headers?.payload.subarray(0, 1), hpackInt(0, 5, 0x20));
  });

  it('a request with a header value it cannot send fails alone, and the HPACK tables stay in step', async () => {
    const { client, server } = await pair([[3, 1]]);
    await server.next((f) => f.type === T.SETTINGS && f.flags === F.ACK);
    const post = encodeHeaderBlock({ ...get, ':method': 'POST' });
    const caller = 'c'.repeat(300);
    const good = { 'x-caller': caller, 'x-team': 'blue' };
    const sent: [string, string][][] = [];
    const decoder = new HpackDecoder(4096);
    const answerNext = async (id: number) => {
      const f = await server.next((x) => x.type === T.HEADERS && x.streamId === id);
      sent.push(decode(decoder, f!));
      server.send(frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, id, response()));
    };
    // Twice: `x-caller` and `x-team` go into the server's table, then are sent as indexes.
    for (const id of [1, 3]) {
      const r = record(client.request(post, { extra: good, endStream: true }));
      await answerNext(id);
      await r.closed;
    }
    // In flight (the server allows one stream), then one held back behind it with a bad value,
    // whose block would insert `x-new` (repeated) before reaching the bad field.
    client.request(post, { extra: { 'x-new': 'n' }, endStream: true });
    await answerNext(5);
    const inFlight = record(client.request(post, { extra: good, endStream: true }));
    const held = record(
      client.request(post, { extra: { 'x-new': 'n', 'x-bad': 'line\nbreak' }, endStream: true }),
    );
    await answerNext(7);
    assert.equal(await inFlight.closed, undefined);
    const heldError = await held.closed;
    assert.match(String(heldError?.message), /invalid value for header "x-bad"/);
    // Its stream id (9) never went on the wire. The next blocks decode to what was asked: no
    // byte of the failed block reached the server.
    const asked = { ...good, 'x-new': 'n' };
    for (const id of [11, 13]) {
      const r = record(client.request(post, { extra: asked, endStream: true }));
      await answerNext(id);
      assert.equal(await r.closed, undefined);
    }
    // With a free slot, request() itself throws (and that stream id, 15, is not used either).
    assert.throws(
      () => client.request(post, { extra: { 'x-bad': 'line\nbreak' } }),
      /invalid value for header "x-bad"/,
    );
    const last = record(client.request(post, { extra: asked, endStream: true }));
    await answerNext(17);
    assert.equal(await last.closed, undefined);
    for (const fields of [sent[0], sent[1], sent[3], sent[4], sent[5], sent[6]])
      assert.deepEqual(
        fields!.filter(([n]) => n === 'x-caller' || n === 'x-team').map(([, v]) => v),
        [caller, 'blue'],
      );
    for (const fields of [sent[4], sent[5], sent[6]])
      assert.deepEqual(
        fields!.find(([n]) => n === 'x-new'),
        ['x-new', 'n'],
      );
    assert.deepEqual(
      server.frames.filter((f) => f.type === T.HEADERS).map((f) => f.streamId),
      [1, 3, 5, 7, 11, 13, 17],
    );
    assert.equal(await server.alive(), true);
  });

  it('splits DATA at the SETTINGS_MAX_FRAME_SIZE of the server', async () => {
    const { client, server } = await pair();
    const stream = client.request({ ...get, ':method': 'POST' });
    stream.write(Buffer.alloc(40_000), true);
    await server.next((f) => f.type === T.DATA && (f.flags & F.END_STREAM) !== 0);
    const sizes = server.frames.filter((f) => f.type === T.DATA).map((f) => f.payload.length);
    assert.deepEqual(sizes, [16_384, 16_384, 40_000 - 2 * 16_384]);
  });

  it('when the stream ids run out the connection drains, and Http2Client opens a new one', async () => {
    const connections: RawPeer[] = [];
    const answer = (peer: RawPeer) => {
      connections.push(peer);
      peer.socket.on('data', () => {
        for (const f of peer.frames.splice(0)) {
          if (f.type === T.HEADERS)
            peer.send(frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, f.streamId, response()));
        }
      });
    };
    accepted.push(answer, answer);
    pendingSettings = [];
    const client = new Http2Client({ host: '127.0.0.1', port, maxStreamId: 3 });
    for (let i = 0; i < 4; i++) {
      const r = record(client.request(get, { endStream: true }));
      assert.equal(await r.closed, undefined, `request ${i}`);
    }
    assert.equal(connections.length, 2, 'ids 1 and 3 on the first connection, then a second one');
    client.close();
  });
});
