// Child-process entry, started fresh for each sample: loads a client library (Shoal's through
// its client entry point, `@shoal/mesh/client`, as a calling-only app would), makes one
// xDS-routed Echo call (bootstrap from GRPC_XDS_BOOTSTRAP_CONFIG: connect to the control plane,
// LDS → RDS → CDS → EDS, connect to the picked provider) and reports when it completed, both as
// wall time and as time since this process's own start (performance.timeOrigin).
// Kind `shoal-index` does the same through the package index, `@shoal/mesh` (server side too).
// Kind `none` loads nothing and calls nothing: the floor, a bare node process on this machine now.
// Argument: JSON {kind: 'shoal' | 'shoal-index' | 'grpc-js-xds' | 'none', target}.

import { performance } from 'node:perf_hooks';
import { reply, runToEnd } from '../lib/child.js';

export interface FirstCallResult {
  /** Wall clock (ms since the epoch, sub-ms precision) when the call completed. */
  doneAt: number;
  /** Milliseconds from this process's start to the call's completion. */
  sinceStartMs: number;
  /** Milliseconds from this process's start to: the client library loaded; the xDS config complete (Shoal only). */
  loadedMs: number;
  configMs: number | undefined;
  /** CPU milliseconds (user + system) this process used until the call completed: steadier than wall time on a busy machine. */
  cpuMs: number;
}

interface Marks {
  loadedMs: number;
  configMs?: number;
}

async function shoal(target: string, marks: Marks, entry: 'client' | 'index'): Promise<void> {
  const { createMeshClient, meshTransportOf } =
    entry === 'client' ? await import('@shoal/mesh/client') : await import('@shoal/mesh');
  const { BenchService } = await import('../gen/shoal/bench/v1/bench_pb.js');
  marks.loadedMs = performance.now();
  const client = createMeshClient(BenchService, target, {});
  await meshTransportOf(client).ready();
  marks.configMs = performance.now();
  const response = await client.echo({ text: 'first', id: 1 });
  if (response.text !== 'first') throw new Error('wrong echo');
  meshTransportOf(client).close();
}

async function grpcJsXds(target: string, marks: Marks): Promise<void> {
  const grpc = (await import('@grpc/grpc-js')).default;
  (await import('@grpc/grpc-js-xds')).register();
  const { loadBenchService } = await import('../rpc/servers/grpc-js-server.js');
  const Client = loadBenchService();
  marks.loadedMs = performance.now();
  const client = new Client(target, grpc.credentials.createInsecure()) as unknown as {
    close(): void;
    echo(request: object, callback: (err: Error | null, response?: { text: string }) => void): void;
  };
  const response = await new Promise<{ text: string }>((resolve, reject) =>
    client.echo({ text: 'first', id: 1 }, (err, r) => (err ? reject(err) : resolve(r!))),
  );
  if (response.text !== 'first') throw new Error('wrong echo');
  client.close();
}

async function main({ kind, target }: { kind: string; target: string }): Promise<void> {
  const marks: Marks = { loadedMs: 0 };
  if (kind === 'shoal') await shoal(target, marks, 'client');
  else if (kind === 'shoal-index') await shoal(target, marks, 'index');
  else if (kind === 'grpc-js-xds') await grpcJsXds(target, marks);
  else if (kind !== 'none') throw new Error(`unknown client "${kind}"`);
  const sinceStartMs = performance.now();
  const cpu = process.cpuUsage();
  const result: FirstCallResult = {
    doneAt: performance.timeOrigin + sinceStartMs,
    sinceStartMs,
    loadedMs: marks.loadedMs,
    configMs: marks.configMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
  await reply(result);
}

runToEnd(() => main(JSON.parse(process.argv[2] ?? '{}')));
