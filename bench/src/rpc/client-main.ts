// Child-process entry: loads a server with unary calls from one client library (Shoal,
// grpc-js, or the hand-written node:http2 floor), a fixed number of calls kept `concurrency` in flight, and reports throughput and
// latency measured around each call. Arguments: kind port calls concurrency warmupCalls.

import { performance } from 'node:perf_hooks';
import grpc from '@grpc/grpc-js';
import { createClient } from '@shoal/rpc';
import { BenchService, type EchoResponse } from '../gen/shoal/bench/v1/bench_pb.js';
import { reply, runToEnd } from '../lib/child.js';
import type { LoadResult } from '../lib/load-result.js';
import { mean, percentile } from '../lib/stats.js';
import { echoRequest } from './payload.js';
import { rawHttp2Caller } from './raw-http2-client.js';
import { loadBenchService } from './servers/grpc-js-server.js';

type Call = () => Promise<{ text: string }>;

function shoalCaller(address: string): Call {
  const client = createClient(BenchService, address);
  const request = echoRequest();
  return (): Promise<EchoResponse> => client.echo(request);
}

function grpcJsCaller(address: string): Call {
  const Client = loadBenchService();
  const client = new Client(address, grpc.credentials.createInsecure()) as unknown as {
    echo(
      request: object,
      callback: (err: grpc.ServiceError | null, response?: { text: string }) => void,
    ): void;
  };
  const { text, id, payload } = echoRequest();
  const request = { text, id, payload: Buffer.from(payload) };
  return () =>
    new Promise((resolve, reject) =>
      client.echo(request, (err, response) => (err ? reject(err) : resolve(response!))),
    );
}

/** Makes `calls` calls, `concurrency` at a time; returns each call's latency in ms. */
async function load(call: Call, calls: number, concurrency: number): Promise<Float64Array> {
  const latencies = new Float64Array(calls);
  let next = 0;
  const worker = async () => {
    while (next < calls) {
      const i = next++;
      const started = performance.now();
      const response = await call();
      latencies[i] = performance.now() - started;
      if (response.text === '') throw new Error('the server answered an empty echo');
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return latencies;
}

async function main(args: string[]): Promise<void> {
  // process.exit lets --cpu-prof write its profile when the parent stops this process.
  process.once('SIGTERM', () => process.exit(0));
  const [kind, port, calls, concurrency, warmup] = args;
  const address = `127.0.0.1:${port}`;
  const callers: Record<string, (address: string) => Call> = {
    shoal: shoalCaller,
    'grpc-js': grpcJsCaller,
    'raw-http2': rawHttp2Caller,
  };
  const call = kind === undefined ? undefined : callers[kind]?.(address);
  if (!call) throw new Error(`unknown client "${kind}" (known: ${Object.keys(callers).join(', ')})`);
  await load(call, Number(warmup), Number(concurrency));
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const latencies = await load(call, Number(calls), Number(concurrency));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const result: LoadResult = {
    requestsPerSecond: Number(calls) / seconds,
    meanMs: mean(latencies),
    p99Ms: percentile(latencies, 99),
    cpuMicrosPerRequest: (cpu.user + cpu.system) / Number(calls),
  };
  await reply(result);
}

runToEnd(() => main(process.argv.slice(2)));
