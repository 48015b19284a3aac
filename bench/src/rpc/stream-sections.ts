// Sections of the rpc suite that run Shoal's client against Shoal's server and grpc-js's client
// against grpc-js's server, end to end, each pair in processes of its own (call-load-main.ts):
//   stream:   server streaming, 100 responses per call, messages per second (target >= 5x);
//   pingpong: bidi streams sending one message and awaiting its echo, messages per second (>= 5x);
//   latency:  one unary call at a time, median latency (target <= 0.5x, i.e. >= 2x by p50).
// CPU per message is the client's and the server's together.

import { type ChildServer, runChild } from '../lib/child.js';
import type { LoadResult } from '../lib/load-result.js';
import { type Comparison, printSection } from '../lib/report.js';
import { STREAM_MESSAGES } from './payload.js';
import { alternate, type Settings, withServers } from './rpc-harness.js';

const callLoadMain = new URL('./call-load-main.js', import.meta.url);
const pairs = ['shoal', 'grpc-js'];

/** One run of `scenario` by the `kind` client against its own server, with both processes' CPU. */
async function pairRun(
  kind: string,
  server: ChildServer,
  scenario: string,
  calls: number,
  concurrency: number,
  warmup: number,
  profileDir: string | undefined,
): Promise<LoadResult> {
  const before = await server.cpuMicros();
  const execArgv = kind === 'shoal' && profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const result = await runChild<LoadResult & { messages: number }>(
    callLoadMain,
    [kind, scenario, String(server.port), String(calls), String(concurrency), String(warmup)],
    execArgv,
  );
  const serverCpu = (await server.cpuMicros()) - before;
  // The server's CPU covers the warm-up's messages too: spread over all it handled.
  const perUnit = scenario === 'server-stream' ? STREAM_MESSAGES : 1;
  const serverMessages = result.messages + warmup * perUnit;
  return { ...result, cpuMicrosPerRequest: (result.cpuMicrosPerRequest ?? 0) + serverCpu / serverMessages };
}

async function pairSection(
  settings: Settings,
  options: {
    scenario: string;
    calls: number;
    concurrency: number;
    title: string;
    target: number;
    basis?: 'p50';
  },
): Promise<Comparison[]> {
  const warmup = Math.max(1, Math.round(options.calls / 4));
  const results = await withServers(pairs, settings, (servers) =>
    alternate(pairs, settings.runs, (kind) =>
      pairRun(
        kind,
        servers.get(kind)!,
        options.scenario,
        options.calls,
        options.concurrency,
        warmup,
        settings.profileDir,
      ),
    ),
  );
  const comparisons: Comparison[] = [
    {
      name: options.scenario,
      subject: 'shoal',
      subjectResult: results.get('shoal')!,
      peer: 'grpc-js',
      peerResult: results.get('grpc-js')!,
      target: options.target,
      ...(options.basis && { basis: options.basis }),
    },
  ];
  printSection(
    `${options.title}, median of ${settings.runs} (req/s = messages/s; cpu = client + server per message)`,
    [
      ['shoal client -> shoal server', results.get('shoal')!],
      ['grpc-js client -> grpc-js server', results.get('grpc-js')!],
    ],
    comparisons,
  );
  return comparisons;
}

export function streamSection(settings: Settings): Promise<Comparison[]> {
  const calls = Math.round(1000 * settings.scale);
  return pairSection(settings, {
    scenario: 'server-stream',
    calls,
    concurrency: 10,
    title: `Server streaming: ${calls} calls of ${STREAM_MESSAGES} responses, 10 calls in flight`,
    target: 5,
  });
}

export function pingPongSection(settings: Settings): Promise<Comparison[]> {
  const calls = Math.round(20_000 * settings.scale);
  return pairSection(settings, {
    scenario: 'ping-pong',
    calls,
    concurrency: 10,
    title: `Bidi ping-pong: ${calls} round trips on 10 streams, each awaiting its echo`,
    target: 5,
  });
}

export function latencySection(settings: Settings): Promise<Comparison[]> {
  const calls = Math.round(5000 * settings.scale);
  return pairSection(settings, {
    scenario: 'sequential',
    calls,
    concurrency: 1,
    title: `Sequential unary latency: ${calls} calls, one at a time`,
    target: 2,
    basis: 'p50',
  });
}
