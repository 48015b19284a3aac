// Conformance, RFC 9113 sections 7 and 8 (h2spec's list): unknown error codes, and HTTP
// semantics: malformed requests (§8.1.1), field names and values (§8.2), pseudo-headers (§8.3),
// connection-specific fields, content-length, trailers, and push refused (§8.4).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { E, F, frame, requestFields, T, u32 } from '../raw-peer.js';
import { conformanceServer, expectConnectionError, expectStreamError } from './conformance-server.js';

const server = conformanceServer();

describe('RFC 9113 §7 error codes', () => {
  it('7/1 a GOAWAY with an unknown error code is no error: the server closes with NO_ERROR, its streams done', async () => {
    const peer = await server.peer();
    peer.send(frame(T.GOAWAY, 0, 0, u32(0, 0xff)));
    const end = await peer.end();
    assert.ok(end.closed);
    assert.equal(end.goaway?.code ?? E.NO_ERROR, E.NO_ERROR);
  });

  it('7/2 a RST_STREAM with an unknown error code is accepted', async () => {
    const peer = await server.peer();
    peer.headers(1, requestFields(), F.END_HEADERS);
    peer.send(frame(T.RST_STREAM, 0, 1, u32(0xff)));
    assert.ok(await peer.alive());
  });
});

/** A request with `fields` is malformed: the stream is reset with PROTOCOL_ERROR (§8.1.1). */
async function malformed(fields: [string, string][], flags = F.END_HEADERS | F.END_STREAM): Promise<void> {
  const peer = await server.peer();
  peer.headers(1, fields, flags);
  await expectStreamError(peer, 1, E.PROTOCOL_ERROR);
}

describe('RFC 9113 §8.1 HTTP message framing', () => {
  it('8.1/1 a second HEADERS without END_STREAM is a stream error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.headers(1, requestFields(), F.END_HEADERS);
    peer.headers(1, [['x-trailer', '1']], F.END_HEADERS);
    await expectStreamError(peer, 1, E.PROTOCOL_ERROR);
  });

  it('8.1/2 trailers with END_STREAM end the request', async () => {
    const peer = await server.peer();
    peer.headers(1, requestFields(), F.END_HEADERS);
    peer.send(frame(T.DATA, 0, 1, Buffer.from('body')));
    peer.headers(1, [['x-trailer', '1']]);
    assert.ok(await peer.next((f) => f.type === T.HEADERS && f.streamId === 1));
  });
});

describe('RFC 9113 §8.2 field validity', () => {
  it('8.2/1 an upper-case field name is malformed', () => malformed([...requestFields(), ['X-Test', 'ok']]));
  it('8.2.1/2 a field value with CR or LF is malformed', () =>
    malformed([...requestFields(), ['x-test', 'a\r\nb']]));
  it('8.2.1/3 a field value with NUL is malformed', () =>
    malformed([...requestFields(), ['x-test', 'a\0b']]));
  it('8.2.1/4 a field value with leading whitespace is malformed', () =>
    malformed([...requestFields(), ['x-test', ' a']]));
  it('8.2.1/5 a field name with a space is malformed', () =>
    malformed([...requestFields(), ['x test', 'a']]));
  it('8.2.2/1 a connection-specific field is malformed', () =>
    malformed([...requestFields(), ['connection', 'keep-alive']]));
  it('8.2.2/2 te other than "trailers" is malformed', () =>
    malformed([...requestFields(), ['te', 'trailers, deflate']]));
  it('8.2.2/3 te "trailers" is accepted', async () => {
    const peer = await server.peer();
    peer.headers(1, [...requestFields(), ['te', 'trailers']]);
    assert.ok(await peer.next((f) => f.type === T.HEADERS && f.streamId === 1));
  });
});

describe('RFC 9113 §8.3 pseudo-header fields', () => {
  it('8.3/1 an unknown pseudo-header is malformed', () => malformed([...requestFields(), [':test', 'ok']]));
  it('8.3/2 a response pseudo-header in a request is malformed', () =>
    malformed([...requestFields(), [':status', '200']]));
  it('8.3/3 a pseudo-header in trailers is malformed', async () => {
    const peer = await server.peer();
    peer.headers(1, requestFields(), F.END_HEADERS);
    peer.headers(1, [[':method', 'POST']]);
    await expectStreamError(peer, 1, E.PROTOCOL_ERROR);
  });
  it('8.3/4 a pseudo-header after a regular field is malformed', () =>
    malformed([...requestFields().slice(0, 3), ['x-test', 'ok'], [':authority', 'localhost']]));
  it('8.3.1/1 an empty :path is malformed', () => malformed(requestFields('')));
  it('8.3.1/2 a request without :method is malformed', () =>
    malformed(requestFields().filter(([n]) => n !== ':method')));
  it('8.3.1/3 a request without :scheme is malformed', () =>
    malformed(requestFields().filter(([n]) => n !== ':scheme')));
  it('8.3.1/4 a request without :path is malformed', () =>
    malformed(requestFields().filter(([n]) => n !== ':path')));
  it('8.3.1/5 a duplicated :method is malformed', () => malformed([[':method', 'GET'], ...requestFields()]));
  it('8.3.1/6 a duplicated :scheme is malformed', () =>
    malformed([[':scheme', 'https'], ...requestFields()]));
  it('8.3.1/7 a duplicated :path is malformed', () => malformed([[':path', '/x'], ...requestFields()]));
});

describe('RFC 9113 §8.1.1 content-length', () => {
  it('8.1.1/1 content-length unequal to the DATA received is malformed', async () => {
    const peer = await server.peer();
    peer.headers(1, [...requestFields(), ['content-length', '1']], F.END_HEADERS);
    peer.send(frame(T.DATA, F.END_STREAM, 1, Buffer.from('test')));
    await expectStreamError(peer, 1, E.PROTOCOL_ERROR);
  });

  it('8.1.1/2 content-length unequal to the sum of several DATA frames is malformed', async () => {
    const peer = await server.peer();
    peer.headers(1, [...requestFields(), ['content-length', '8']], F.END_HEADERS);
    peer.send(frame(T.DATA, 0, 1, Buffer.from('test')), frame(T.DATA, F.END_STREAM, 1, Buffer.from('tes')));
    await expectStreamError(peer, 1, E.PROTOCOL_ERROR);
  });

  it('8.1.1/3 content-length equal to the body is accepted', async () => {
    const peer = await server.peer();
    peer.headers(1, [...requestFields(), ['content-length', '8']], F.END_HEADERS);
    peer.send(frame(T.DATA, 0, 1, Buffer.from('test')), frame(T.DATA, F.END_STREAM, 1, Buffer.from('test')));
    assert.ok(await peer.next((f) => f.type === T.HEADERS && f.streamId === 1));
  });
});

describe('RFC 9113 §8.4 server push', () => {
  it('8.4/1 PUSH_PROMISE from a client is a connection error PROTOCOL_ERROR', async () => {
    const peer = await server.peer();
    peer.send(frame(T.PUSH_PROMISE, F.END_HEADERS, 1, Buffer.concat([u32(2), Buffer.from([0x82])])));
    await expectConnectionError(peer, E.PROTOCOL_ERROR);
  });
});
