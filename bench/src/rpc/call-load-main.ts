// Child-process entry: one client library (Shoal or grpc-js) drives its own kind of server
// through a streaming or latency scenario, and reports messages per second, latency and its own
// CPU per message. Arguments: kind scenario port calls concurrency warmupCalls.
//   server-stream: each call asks for 100 responses; `concurrency` calls in flight.
//   ping-pong:     `concurrency` bidi streams, each sending one request and awaiting its echo,
//                  `calls` round trips in all.
//   sequential:    one unary call at a time.

import { performance } from 'node:perf_hooks';
import grpc from '@grpc/grpc-js';
import { createClient } from '@shoal/rpc';
import { BenchService } from '../gen/shoal/bench/v1/bench_pb.js';
import { reply, runToEnd } from '../lib/child.js';
import type { LoadResult } from '../lib/load-result.js';
import { mean, percentile } from '../lib/stats.js';
import { echoRequest, STREAM_MESSAGES } from './payload.js';
import { loadBenchService } from './servers/grpc-js-server.js';

/** What a scenario needs of a client: one server-streaming call, a ping-pong stream, one unary call. */
interface Driver {
  serverStream(count: number): Promise<number>;
  pingPong(): { send(): Promise<void>; close(): void };
  unary(): Promise<void>;
}

/** A request stream fed one message at a time. */
class Pushable<T> implements AsyncIterableIterator<T> {
  private waiting: ((r: IteratorResult<T>) => void) | undefined;
  private queue: T[] = [];
  private done = false;
  push(value: T): void {
    const w = this.waiting;
    this.waiting = undefined;
    if (w) w({ value, done: false });
    else this.queue.push(value);
  }
  end(): void {
    this.done = true;
    this.waiting?.({ value: undefined, done: true });
  }
  next(): Promise<IteratorResult<T>> {
    if (this.queue.length > 0) return Promise.resolve({ value: this.queue.shift()!, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((r) => (this.waiting = r));
  }
  [Symbol.asyncIterator](): this {
    return this;
  }
}

function shoalDriver(address: string): Driver {
  const client = createClient(BenchService, address);
  const echo = echoRequest();
  return {
    async serverStream(count) {
      let n = 0;
      for await (const response of client.serverStream({ count, echo })) if (response.id === echo.id) n++;
      return n;
    },
    pingPong() {
      const requests = new Pushable<typeof echo>();
      const responses = client.bidi(requests)[Symbol.asyncIterator]();
      return {
        async send() {
          requests.push(echo);
          const next = await responses.next();
          if (next.done || next.value.id !== echo.id) throw new Error('ping-pong: no echo');
        },
        close: () => requests.end(),
      };
    },
    async unary() {
      const response = await client.echo(echo);
      if (response.id !== echo.id) throw new Error('unary: wrong echo');
    },
  };
}

function grpcJsDriver(address: string): Driver {
  const Client = loadBenchService();
  const client = new Client(address, grpc.credentials.createInsecure()) as unknown as {
    echo(r: object, cb: (err: grpc.ServiceError | null, response?: { id: number }) => void): void;
    serverStream(r: object): grpc.ClientReadableStream<{ id: number }>;
    bidi(): grpc.ClientDuplexStream<object, { id: number }>;
  };
  const { text, id, payload } = echoRequest();
  const echo = { text, id, payload: Buffer.from(payload) };
  return {
    serverStream(count) {
      return new Promise((resolve, reject) => {
        let n = 0;
        const call = client.serverStream({ count, echo });
        call.on('data', (r) => {
          if (r.id === id) n++;
        });
        call.on('error', reject);
        call.on('end', () => resolve(n));
      });
    },
    pingPong() {
      const call = client.bidi();
      let waiting: (() => void) | undefined;
      call.on('data', () => {
        const w = waiting;
        waiting = undefined;
        w?.();
      });
      call.on('error', () => {});
      return {
        send() {
          return new Promise<void>((resolve) => {
            waiting = resolve;
            call.write(echo);
          });
        },
        close: () => call.end(),
      };
    },
    unary() {
      return new Promise((resolve, reject) => client.echo(echo, (err) => (err ? reject(err) : resolve())));
    },
  };
}

/** Runs the scenario; returns the latency of each unit (a call, or a round trip) and the messages moved. */
async function scenario(driver: Driver, name: string, calls: number, concurrency: number) {
  const latencies = new Float64Array(calls);
  let next = 0;
  let messages = 0;
  const worker = async () => {
    const stream = name === 'ping-pong' ? driver.pingPong() : undefined;
    while (next < calls) {
      const i = next++;
      const started = performance.now();
      if (name === 'server-stream') {
        const got = await driver.serverStream(STREAM_MESSAGES);
        if (got !== STREAM_MESSAGES) throw new Error(`server-stream: ${got} of ${STREAM_MESSAGES} responses`);
        messages += got;
      } else if (stream) {
        await stream.send();
        messages++;
      } else {
        await driver.unary();
        messages++;
      }
      latencies[i] = performance.now() - started;
    }
    stream?.close();
  };
  await Promise.all(Array.from({ length: name === 'sequential' ? 1 : concurrency }, worker));
  return { latencies, messages };
}

async function main(args: string[]): Promise<void> {
  process.once('SIGTERM', () => process.exit(0));
  const [kind, name, port, calls, concurrency, warmup] = args;
  if (!['server-stream', 'ping-pong', 'sequential'].includes(name ?? ''))
    throw new Error(`unknown scenario "${name}"`);
  const address = `127.0.0.1:${port}`;
  const driver =
    kind === 'shoal' ? shoalDriver(address) : kind === 'grpc-js' ? grpcJsDriver(address) : undefined;
  if (!driver) throw new Error(`unknown client "${kind}" (shoal, grpc-js)`);
  await scenario(driver, name!, Number(warmup), Number(concurrency));
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const { latencies, messages } = await scenario(driver, name!, Number(calls), Number(concurrency));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const result: LoadResult & { messages: number } = {
    requestsPerSecond: messages / seconds,
    meanMs: mean(latencies),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    cpuMicrosPerRequest: (cpu.user + cpu.system) / messages,
    messages,
  };
  await reply(result);
}

runToEnd(() => main(process.argv.slice(2)));
