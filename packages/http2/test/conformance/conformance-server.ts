// The server every conformance case talks to: an Http2Server that reads each request's body and
// answers 200 with a 64-byte body (long enough for the flow-control cases to see it split).

import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { Http2Server } from '../../src/index.js';
import { E, RawPeer } from '../raw-peer.js';

export const RESPONSE_BODY = Buffer.alloc(64, 'a');

export function conformanceServer(): {
  port(): number;
  peer(settings?: [number, number][]): Promise<RawPeer>;
} {
  const server = new Http2Server({
    settings: { maxConcurrentStreams: 10 },
    onStream(stream) {
      stream.setHandler({
        onEnd() {
          stream.sendHeaders({ ':status': 200, 'content-type': 'text/plain' });
          stream.write(RESPONSE_BODY, true);
        },
      });
    },
  });
  let port = 0;
  const peers: RawPeer[] = [];
  before(async () => {
    port = (await server.listen(0)).port;
  });
  after(async () => {
    for (const p of peers) p.close();
    await server.close(100);
  });
  return {
    port: () => port,
    async peer(settings = []) {
      const p = await RawPeer.connect(port, settings);
      peers.push(p);
      return p;
    },
  };
}

/** The connection ends with GOAWAY `code` (a connection error, RFC 9113 §5.4.1). */
export async function expectConnectionError(peer: RawPeer, code: number): Promise<void> {
  const end = await peer.end();
  assert.ok(end.goaway, 'no GOAWAY before the connection closed');
  assert.equal(
    end.goaway.code,
    code,
    `GOAWAY code ${end.goaway.code} (${end.goaway.debug}), expected ${code}`,
  );
  assert.ok(end.closed, 'the connection stayed open after GOAWAY');
}

/** Stream `id` is reset with `code` and the connection lives on (a stream error, §5.4.2). */
export async function expectStreamError(peer: RawPeer, id: number, code: number): Promise<void> {
  const rst = await peer.rstCode(id);
  assert.equal(rst, code, `RST_STREAM code on stream ${id}`);
  assert.ok(await peer.alive(), 'the connection did not survive a stream error');
}

export { E };
