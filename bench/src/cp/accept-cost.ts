// The control plane's CPU per new client, from its connection's accept to the client holding the
// whole config (listener to endpoints): a control plane alone in a process (control-plane-main.ts),
// and `streams` simulated clients (SimStream: real SotW ADS, every response ACKed) opened `parallel`
// at a time, each on its own connection, in rounds. The first rounds also pay for V8 compiling the
// accept path; the median of the later ones is the warmed cost. This is what --stampede's
// "control-plane CPU per returning client" is made of, without the returning clients' storm.
// Usage: node bench/dist/cp/accept-cost.js [streams 3000] [parallel 100] [rounds 7]

import { createClient, GrpcTransport } from '@shoal/rpc';
import { envoy } from '@shoal/xds';
import { percentile } from '../lib/stats.js';
import type { ControlPlaneReady } from './control-plane-main.js';
import { LISTENER, REGISTRY_YAML, weightsYaml } from './cp-config.js';
import { spawnChild } from './ipc.js';
import type { ProcessStats } from './process-stats.js';
import { SimStream } from './sim-stream.js';

const [streams = 3000, parallel = 100, rounds = 7] = process.argv.slice(2).map(Number);
const cp = await spawnChild<ControlPlaneReady>(new URL('./control-plane-main.js', import.meta.url), []);
await cp.request('apply', `${REGISTRY_YAML}---\n${weightsYaml(90)}`);
const cpu = async () => (await cp.request<ProcessStats>('stats')).cpuMicros;
const perStream: number[] = [];
for (let round = 0; round < rounds; round++) {
  const open: { stream: SimStream; transport: GrpcTransport }[] = [];
  const before = await cpu();
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < streams) {
      next++;
      const transport = new GrpcTransport({ address: `127.0.0.1:${cp.ready.xdsPort}` });
      const ads = createClient(envoy.AggregatedDiscoveryService, transport);
      const stream = new SimStream(ads, `accept-${round}-${next}`, LISTENER);
      void stream.start();
      open.push({ stream, transport });
      await stream.synced;
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  const us = ((await cpu()) - before) / streams;
  perStream.push(us);
  console.log(
    `round ${round}: ${streams} clients synced in ${(performance.now() - started).toFixed(0)} ms; control plane ${us.toFixed(0)} us CPU per client`,
  );
  for (const { stream, transport } of open) {
    stream.close();
    transport.close();
  }
  await new Promise((r) => setTimeout(r, 500)); // the closes are counted before the next round
}
const warm = perStream.slice(2);
console.log(
  `control plane CPU per client, accept to synced: ${percentile(warm.length > 0 ? warm : perStream, 50).toFixed(0)} us (median of rounds 3..${rounds}; first round ${perStream[0]?.toFixed(0)} us)`,
);
await cp.stop();
