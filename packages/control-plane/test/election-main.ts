// Child-process entry for the election tests: one replica's etcd session and leadership, nothing
// else, so that a SIGKILL is a crash and a clean close can be seen to leave nothing behind (the
// process must then end on its own). Prints `ready ID`, then `leader` / `follower` on each change;
// reads `close` on stdin, closes, prints `closed MS`, and never calls process.exit.
//   node election-main.js ENDPOINTS PREFIX TTL_SECONDS

import { createInterface } from 'node:readline';
import { EtcdLeadership } from '../src/backends/etcd-leadership.js';
import { EtcdSession } from '../src/backends/etcd-session.js';

const [endpoints = '', prefix = '/shoal', ttl = '5'] = process.argv.slice(2);
const session = new EtcdSession({ endpoints: endpoints.split(','), prefix, log: () => {} });
const leadership = new EtcdLeadership(session, { ttlSeconds: Number(ttl), log: () => {} });
leadership.onChange((leader) => console.log(leader ? 'leader' : 'follower'));
await session.start();
leadership.start();
console.log(`ready ${leadership.id}`);

const input = createInterface({ input: process.stdin });
input.on('line', (line) => {
  if (line.trim() !== 'close') return;
  input.close();
  process.stdin.destroy();
  const started = Date.now();
  void leadership
    .close()
    .then(() => session.close())
    .then(() => console.log(`closed ${Date.now() - started}`));
});
