// Dialling a host name: every address the pool's lookup gives is tried in turn until one connects
// (node:net's autoSelectFamily, on both transports), so one name can stand for several servers.
// No name here resolves to two addresses, so the test's lookup answers its own name with
// 127.0.0.1 and ::1 and leaves every other name to node:dns.

import assert from 'node:assert/strict';
import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import { after, describe, it } from 'node:test';
import { echoImpl } from '../../test/echo-impl.js';
import { EchoService } from '../../test/gen/shoal/testing/v1/echo_pb.js';
import { Server } from '../server/server.js';
import { createClient } from './create-client.js';
import { SessionPool } from './session-pool.js';
import { GrpcTransport } from './transport.js';

const NAME = 'echo.lookup.test';
const asked: string[] = [];
const lookup: LookupFunction = (hostname, options, callback) => {
  if (hostname !== NAME) return dns.lookup(hostname, options, callback);
  asked.push(hostname);
  const all = [
    { address: '127.0.0.1', family: 4 },
    { address: '::1', family: 6 },
  ];
  if (options.all) return callback(null, all);
  callback(null, all[0]!.address, all[0]!.family);
};

describe('dialling a name with several addresses', () => {
  const closers: (() => unknown)[] = [];
  after(async () => {
    for (const close of closers.reverse()) await close();
  });

  it('connects to the next address when the first refuses', async () => {
    // The port is free on 127.0.0.1 (a server had it and closed), the server listens on ::1.
    const probe = new Server();
    const { port } = await probe.listen(0, '127.0.0.1');
    await probe.close();
    const server = new Server();
    server.register(EchoService, echoImpl());
    await server.listen(port, '::1');
    closers.push(() => server.close());
    const pool = new SessionPool({ lookup });
    closers.push(() => pool.close());
    const echo = createClient(EchoService, new GrpcTransport({ address: `${NAME}:${port}`, pool }));
    assert.equal((await echo.echo({ text: 'over ::1' })).text, 'over ::1');
    assert.deepEqual(asked, [NAME], 'the pool used the lookup it was given');
  });
});
