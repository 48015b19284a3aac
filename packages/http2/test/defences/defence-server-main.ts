// A server under attack, in a process of its own so that what the attacks cost it is measured
// alone: it prints its port, and answers "stats" over IPC with its memory after a full GC
// (run with --expose-gc), its open connections (and their peers' ports) and the requests its
// handler saw.
// Its limits come as JSON in argv[2]. Paths: /echo answers with the request's size, /big writes
// 8 MiB with backpressure (for slow readers), /hold never reads the request.

import { Http2Server, type Http2ServerOptions, type ServerConnection } from '../../src/index.js';

const limits = JSON.parse(process.argv[2] ?? '{}') as Pick<Http2ServerOptions, 'settings' | 'limits'>;
let requests = 0;

const server = new Http2Server({
  ...limits,
  onStream(stream, headers) {
    requests++;
    let size = 0;
    if (headers[':path'] === '/hold') stream.pause(); // never reads: the peer is held to the window
    stream.setHandler({
      onData: (d) => (size += d.length),
      onEnd() {
        stream.sendHeaders({ ':status': 200 });
        if (headers[':path'] !== '/big') {
          stream.write(Buffer.from(String(size)), true);
          return;
        }
        let left = 128;
        const chunk = Buffer.alloc(64 * 1024, 'b');
        const pump = () => {
          while (left > 0) {
            left--;
            if (!stream.write(chunk, left === 0)) return;
          }
        };
        stream.setHandler({ onDrain: pump });
        pump();
      },
    });
  },
});

// Each connection's peer port, taken when it opens: a destroyed socket no longer tells it.
const peerPorts = new WeakMap<ServerConnection, number | undefined>();
server.on('connection', (c: ServerConnection) => peerPorts.set(c, c.socket.remotePort));

const { port } = await server.listen(0);
process.send!({ port });
process.on('message', async (message: string) => {
  if (message !== 'stats') return;
  // V8 frees ArrayBuffer memory on a background thread after a GC: two of them, a moment apart,
  // so that what is counted is what is still held.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  await new Promise((r) => setTimeout(r, 100));
  gc?.();
  const m = process.memoryUsage();
  process.send!({
    heap: m.heapUsed + m.arrayBuffers + m.external,
    rss: m.rss,
    connections: server.connections.size,
    peerPorts: [...server.connections].map((c) => peerPorts.get(c)),
    requests,
  });
});
process.on('disconnect', () => process.exit(0));
