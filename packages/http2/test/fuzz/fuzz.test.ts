// Fuzzing: 100,000 random and mutated frame sequences against the server, and 100,000 against
// the client's frame reader, a fixed count from a fixed seed. Each sequence runs on a connection
// of its own (sockets in memory), after a valid preface and SETTINGS. Nothing may throw past
// the connection (an error of ours is rethrown as an uncaught exception), no promise may be
// rejected unhandled, and memory must come back once the connections are gone.

import assert from 'node:assert/strict';
import type net from 'node:net';
import { after, before, describe, it } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { connect, Http2Server } from '../../src/index.js';
import { frame, PREFACE, settingsPayload } from '../raw-peer.js';
import { FrameFuzzer, random } from './frame-fuzzer.js';
import { socketPair } from './pipe-socket.js';

const SEQUENCES = 100_000;
const BATCH = 200;
const SEED = 0x5eed_2026;
/** About 10 s of CPU each on this machine; a loaded machine stretches the wall time a lot. */
const FUZZ_TIMEOUT_MS = 600_000;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heap(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const failures: unknown[] = [];
const onFailure = (error: unknown) => failures.push(error);
before(() => {
  process.on('uncaughtException', onFailure);
  process.on('unhandledRejection', onFailure);
});
after(() => {
  process.off('uncaughtException', onFailure);
  process.off('unhandledRejection', onFailure);
});

const tick = () => new Promise((r) => setImmediate(r));
/** Connections ended with an error linger up to 1 s for the peer to read their GOAWAY. */
const linger = () => new Promise((r) => setTimeout(r, 1500));

describe('fuzzing', () => {
  it(`the server survives ${SEQUENCES.toLocaleString('en')} random and mutated frame sequences`, {
    timeout: FUZZ_TIMEOUT_MS,
  }, async () => {
    const fuzzer = new FrameFuzzer(random(SEED));
    const server = new Http2Server({
      limits: { handshakeTimeoutMs: 60_000 },
      onStream(stream, headers) {
        stream.setHandler({
          onData() {
            if (headers[':path'] === '/x') stream.pause();
          },
          onEnd() {
            stream.sendHeaders({ ':status': 200 });
            stream.write(Buffer.alloc(100), true);
          },
        });
        if (headers[':method'] === 'GET') stream.reset();
      },
    });
    const client = frame(4, 0, 0, settingsPayload([[4, 100]]));
    await tick();
    const start = heap();
    for (let done = 0; done < SEQUENCES; done += BATCH) {
      const ends = [];
      for (let i = 0; i < BATCH; i++) {
        const [ours, theirs] = socketPair();
        theirs.resume();
        server.accept(ours as unknown as net.Socket);
        theirs.write(Buffer.concat([PREFACE, client, i % 2 ? fuzzer.sequence() : fuzzer.mutated()]));
        ends.push(theirs);
      }
      await tick();
      await tick();
      for (const end of ends) end.destroy();
      for (const connection of server.connections) connection.destroy();
      assert.deepEqual(failures, [], `sequence batch from ${done} (seed ${SEED})`);
    }
    await linger();
    assert.equal(server.connections.size, 0);
    const grown = heap() - start;
    assert.ok(grown < 16 * 1024 * 1024, `heap grew ${(grown / 1048576).toFixed(1)} MiB`);
  });

  it(`the client's frame reader survives ${SEQUENCES.toLocaleString('en')} random and mutated sequences from a server`, {
    timeout: FUZZ_TIMEOUT_MS,
  }, async () => {
    const fuzzer = new FrameFuzzer(random(SEED + 1));
    const serverSettings = frame(4, 0, 0, settingsPayload([[3, 100]]));
    const start = heap();
    const request = { ':method': 'POST', ':scheme': 'http', ':authority': 'localhost', ':path': '/' };
    for (let done = 0; done < SEQUENCES; done += BATCH) {
      const opened = [];
      for (let i = 0; i < BATCH; i++) {
        const [ours, theirs] = socketPair();
        theirs.resume();
        const connection = connect({ socket: ours as unknown as net.Socket });
        for (let s = 0; s < 2; s++) {
          const stream = connection.request(request);
          stream.setHandler({ onData: () => (i % 3 === 0 ? stream.pause() : undefined) });
          stream.write(Buffer.alloc(10), s === 0);
        }
        theirs.write(Buffer.concat([serverSettings, i % 2 ? fuzzer.sequence() : fuzzer.mutated()]));
        opened.push(connection);
      }
      await tick();
      await tick();
      for (const connection of opened) connection.destroy();
      assert.deepEqual(failures, [], `sequence batch from ${done} (seed ${SEED + 1})`);
    }
    await linger();
    const grown = heap() - start;
    assert.ok(grown < 16 * 1024 * 1024, `heap grew ${(grown / 1048576).toFixed(1)} MiB`);
  });
});
