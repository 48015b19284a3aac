// The rpc suite's memory section: RSS per idle connection of a server. Each server runs alone
// with --expose-gc; a client process opens 2,000 HTTP/2 connections, makes one call on each and
// leaves them idle; the server's RSS after a full GC and a settling pause, minus its RSS before,
// over 2,000. Shoal's server on its own HTTP/2 against the same server on node:http2 (the
// issue's "about 30 KB"), and grpc-js's.

import { type Figure, printFigures } from '../cp/figures.js';
import { type ChildServer, startHelper } from '../lib/child.js';
import { median } from '../lib/stats.js';
import { type Settings, withServers } from './rpc-harness.js';

const idleClientsMain = new URL('./idle-clients-main.js', import.meta.url);
const CONNECTIONS = 2000;
const SETTLE_MS = 2000;
const kinds = ['shoal', 'shoal-node-http2', 'grpc-js'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Bytes of RSS per connection the server holds for `count` idle connections. */
async function rssPerConnection(server: ChildServer, count: number): Promise<number> {
  await sleep(SETTLE_MS);
  const before = await server.memory();
  const clients = await startHelper<{ connections: number }>(idleClientsMain, [
    String(server.port),
    String(count),
  ]);
  try {
    if (clients.ready.connections !== count)
      throw new Error(`${clients.ready.connections} of ${count} connections opened`);
    await sleep(SETTLE_MS);
    const after = await server.memory();
    return (after.rss - before.rss) / count;
  } finally {
    await clients.stop();
  }
}

export async function idleMemorySection(settings: Settings): Promise<void> {
  const count = Math.round(CONNECTIONS * Math.min(1, settings.scale));
  const perConnection = new Map<string, number[]>(kinds.map((k) => [k, []]));
  for (let run = 0; run < settings.runs; run++) {
    // A fresh server per run: each starts from the same empty state.
    for (const kind of kinds) {
      await withServers(
        [kind],
        settings,
        async (servers) => {
          perConnection.get(kind)!.push(await rssPerConnection(servers.get(kind)!, count));
        },
        ['--expose-gc'],
      );
    }
  }
  const kb = (kind: string) => median(perConnection.get(kind)!) / 1024;
  const figures: Figure[] = [
    {
      name: 'RSS per idle connection (server): shoal',
      value: kb('shoal'),
      unit: 'KB',
      peer: { name: 'shoal on node:http2', value: kb('shoal-node-http2') },
      target: { op: '<=', value: 12 },
    },
    {
      name: 'RSS per idle connection (server): shoal vs grpc-js',
      value: kb('shoal'),
      unit: 'KB',
      peer: { name: '@grpc/grpc-js', value: kb('grpc-js') },
    },
  ];
  printFigures(
    `Server memory: ${count} idle HTTP/2 connections, one call made on each, RSS after GC, median of ${settings.runs}`,
    figures,
  );
}
