// The floor under the ping-pong section: what a round trip costs with no HTTP/2, no gRPC and no
// codec at all. Two processes on loopback, node:net only: the client writes one 114-byte frame
// (a DATA frame's worth: 9-byte header + 105-byte gRPC message) per stream for 10 lock-step
// streams in one write, exactly as Shoal batches them; the server echoes every chunk it reads
// with one write; the client starts the next round when all 10 are back. CPU per round trip is
// both processes' (user + system) over the run, so it is the kernel's, libuv's and node's
// net.Socket share of any implementation that writes and reads the way Shoal does.
// Usage: node bench/dist/rpc/socket-floor.js [roundTrips=200000] [streams=10]

import { fork } from 'node:child_process';
import net from 'node:net';
import { performance } from 'node:perf_hooks';

const FRAME = 114;

function serve(): void {
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => socket.write(chunk));
  });
  server.listen(0, '127.0.0.1', () => {
    process.send?.({ port: (server.address() as net.AddressInfo).port });
  });
  process.on('message', (m: { cpu?: boolean }) => {
    if (m.cpu) {
      const { user, system } = process.cpuUsage();
      process.send?.({ cpu: user + system });
    }
  });
  process.on('disconnect', () => process.exit(0));
}

async function drive(roundTrips: number, streams: number): Promise<void> {
  const child = fork(new URL(import.meta.url), ['serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = <T>() => new Promise<T>((resolve) => child.once('message', (m) => resolve(m as T)));
  const { port } = await next<{ port: number }>();
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((resolve) => socket.once('connect', resolve));
  const batch = Buffer.alloc(FRAME * streams, 0x5a);
  const run = (rounds: number) =>
    new Promise<void>((resolve) => {
      let received = 0;
      let left = rounds;
      const onData = (chunk: Buffer) => {
        received += chunk.length;
        if (received < batch.length) return;
        received -= batch.length;
        if (--left === 0) {
          socket.off('data', onData);
          resolve();
        } else socket.write(batch);
      };
      socket.on('data', onData);
      socket.write(batch);
    });
  const rounds = Math.ceil(roundTrips / streams);
  await run(Math.ceil(rounds / 4)); // warm-up
  const cpuOf = async () => {
    const answer = next<{ cpu: number }>();
    child.send({ cpu: true });
    return (await answer).cpu;
  };
  const serverBefore = await cpuOf();
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  await run(rounds);
  const seconds = (performance.now() - started) / 1000;
  const client = process.cpuUsage(clientBefore);
  const server = (await cpuOf()) - serverBefore;
  const messages = rounds * streams;
  const us = (n: number) => (n / messages).toFixed(2);
  console.log(
    `socket floor: ${messages} round trips on ${streams} lock-step streams, ${FRAME}-byte frames, one write per batch`,
  );
  console.log(`  round trips/s ${Math.round(messages / seconds)}`);
  console.log(
    `  CPU µs per round trip: client ${us(client.user + client.system)} (system ${us(client.system)}), server ${us(server)}, both ${us(client.user + client.system + server)}`,
  );
  socket.destroy();
  child.disconnect();
}

if (process.argv[2] === 'serve') serve();
else await drive(Number(process.argv[2] ?? 200_000), Number(process.argv[3] ?? 10));
