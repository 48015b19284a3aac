// The RPC suite (issues 2 and 14, "Performance"): Shoal against @grpc/grpc-js and hand-framed
// node servers on one proto and payload, measured in one run.
//   servers: h2load posts unary gRPC calls to Shoal, grpc-js and a raw node:http2 server;
//   clients: Shoal's client, grpc-js's client and a hand-written node:http2 client (the floor)
//     call the raw server, 100 calls in flight;
//   HTTP/1.1: h2load --h1 posts JSON to Shoal's HTTP mode and to a raw node:http server;
//   stream, pingpong, latency: Shoal's client and server against grpc-js's, end to end
//     (stream-sections.ts); idle: server memory per idle connection (idle-memory-section.ts).
// Every participant runs in its own process; runs alternate between peers; medians of N runs.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { runChild } from '../lib/child.js';
import { checkH2load } from '../lib/h2load.js';
import type { LoadResult } from '../lib/load-result.js';
import { type Comparison, printSection, printSummary } from '../lib/report.js';
import type { Suite } from '../lib/suite.js';
import { idleMemorySection } from './idle-memory-section.js';
import { echoPath, grpcFrame, jsonBody } from './payload.js';
import { alternate, loadServer, type Settings, settingsFrom, withServers } from './rpc-harness.js';
import { latencySection, pingPongSection, streamSection } from './stream-sections.js';

const clientMain = new URL('./client-main.js', import.meta.url);

async function serverSection(settings: Settings, bodyFile: string): Promise<Comparison[]> {
  const requests = Math.round(30_000 * settings.scale);
  const frameBytes = grpcFrame().byteLength;
  const kinds = ['shoal', 'grpc-js', 'raw-http2'];
  const results = await withServers(kinds, settings, async (servers) => {
    const load = (kind: string, n: number) =>
      loadServer(
        servers.get(kind)!,
        {
          bodyFile,
          headers: { 'content-type': 'application/grpc', te: 'trailers' },
          requests: n,
          clients: 10,
          maxConcurrentStreams: 10,
          expectResponseBytes: frameBytes,
        },
        echoPath,
      );
    for (const kind of kinds) await load(kind, Math.round(requests / 3)); // warm-up: JIT, connections
    return alternate(kinds, settings.runs, (kind) => load(kind, requests));
  });
  const shoal = results.get('shoal')!;
  const comparisons: Comparison[] = [
    {
      name: 'server',
      subject: 'shoal',
      subjectResult: shoal,
      peer: 'grpc-js',
      peerResult: results.get('grpc-js')!,
      target: 2.5,
    },
    {
      name: 'server',
      subject: 'shoal',
      subjectResult: shoal,
      peer: 'raw node:http2',
      peerResult: results.get('raw-http2')!,
      target: 2,
    },
  ];
  printSection(
    `Server, unary gRPC: h2load -n${requests} -c10 -m10, ${frameBytes}-byte frame, median of ${settings.runs}`,
    [
      ['shoal', shoal],
      ['@grpc/grpc-js', results.get('grpc-js')!],
      ['raw node:http2', results.get('raw-http2')!],
    ],
    comparisons,
  );
  return comparisons;
}

async function clientSection(settings: Settings): Promise<Comparison[]> {
  const calls = Math.round(10_000 * settings.scale);
  const concurrency = 100;
  const kinds = ['shoal', 'grpc-js', 'raw-http2'];
  const results = await withServers(['raw-http2'], settings, (servers) => {
    const port = String(servers.get('raw-http2')!.port);
    return alternate(kinds, settings.runs, (kind) => {
      const execArgv =
        kind === 'shoal' && settings.profileDir
          ? ['--cpu-prof', `--cpu-prof-dir=${settings.profileDir}`]
          : [];
      return runChild<LoadResult>(
        clientMain,
        [kind, port, String(calls), String(concurrency), String(Math.round(calls / 4))],
        execArgv,
      );
    });
  });
  const comparisons: Comparison[] = [
    {
      name: 'client',
      subject: 'shoal',
      subjectResult: results.get('shoal')!,
      peer: 'grpc-js',
      peerResult: results.get('grpc-js')!,
      // CPU per call at most a quarter of grpc-js's (issue 14).
      target: 4,
      basis: 'cpu',
    },
    // The ceiling: how much cheaper than grpc-js any client on node:http2 can be.
    {
      name: 'client floor',
      subject: 'raw node:http2',
      subjectResult: results.get('raw-http2')!,
      peer: 'grpc-js',
      peerResult: results.get('grpc-js')!,
    },
    {
      name: 'client',
      subject: 'shoal',
      subjectResult: results.get('shoal')!,
      peer: 'raw node:http2',
      peerResult: results.get('raw-http2')!,
      // CPU per call at most 1/2.5 of the node:http2 floor client's.
      target: 2.5,
      basis: 'cpu',
    },
  ];
  printSection(
    `Client, unary gRPC against the raw node:http2 server: ${calls} calls, ${concurrency} in flight, median of ${settings.runs}`,
    [
      ['shoal client', results.get('shoal')!],
      ['@grpc/grpc-js client', results.get('grpc-js')!],
      ['raw node:http2 client (floor)', results.get('raw-http2')!],
    ],
    comparisons,
  );
  return comparisons;
}

async function http1Section(settings: Settings, bodyFile: string): Promise<Comparison[]> {
  const requests = Math.round(20_000 * settings.scale);
  const bodyBytes = jsonBody().byteLength;
  const kinds = ['shoal', 'raw-http1'];
  const results = await withServers(kinds, settings, async (servers) => {
    const load = (kind: string, n: number) =>
      loadServer(
        servers.get(kind)!,
        {
          bodyFile,
          headers: { 'content-type': 'application/json' },
          requests: n,
          clients: 10,
          maxConcurrentStreams: 1,
          h1: true,
          expectResponseBytes: bodyBytes,
        },
        echoPath,
      );
    for (const kind of kinds) await load(kind, Math.round(requests / 3));
    return alternate(kinds, settings.runs, (kind) => load(kind, requests));
  });
  const comparisons: Comparison[] = [
    {
      name: 'HTTP/1.1 JSON',
      subject: 'shoal',
      subjectResult: results.get('shoal')!,
      peer: 'raw node:http',
      peerResult: results.get('raw-http1')!,
      target: 0.8,
    },
  ];
  printSection(
    `HTTP/1.1 JSON unary: h2load --h1 -n${requests} -c10 -m1, ${bodyBytes}-byte body, median of ${settings.runs}`,
    [
      ['shoal (HTTP mode)', results.get('shoal')!],
      ['raw node:http', results.get('raw-http1')!],
    ],
    comparisons,
  );
  return comparisons;
}

export const rpcSuite: Suite = {
  description: 'Shoal RPC server, client and HTTP/1.1 mode against grpc-js and raw node servers',
  async run(args) {
    const settings = settingsFrom(args);
    const version = await checkH2load();
    const cpus = os.cpus();
    console.log(
      `rpc suite: ${new Date().toISOString()}, node ${process.version}, ${version}, ${cpus.length} x ${cpus[0]?.model ?? 'cpu'}`,
    );
    const dir = await mkdtemp(join(os.tmpdir(), 'shoal-bench-'));
    try {
      const grpcBody = join(dir, 'echo.grpc');
      const jsonFile = join(dir, 'echo.json');
      await writeFile(grpcBody, grpcFrame());
      await writeFile(jsonFile, jsonBody());
      const comparisons: Comparison[] = [];
      if (settings.sections.has('server')) comparisons.push(...(await serverSection(settings, grpcBody)));
      if (settings.sections.has('client')) comparisons.push(...(await clientSection(settings)));
      if (settings.sections.has('http1')) comparisons.push(...(await http1Section(settings, jsonFile)));
      if (settings.sections.has('stream')) comparisons.push(...(await streamSection(settings)));
      if (settings.sections.has('pingpong')) comparisons.push(...(await pingPongSection(settings)));
      if (settings.sections.has('latency')) comparisons.push(...(await latencySection(settings)));
      if (comparisons.length > 0) printSummary(comparisons);
      if (settings.sections.has('idle')) await idleMemorySection(settings);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
