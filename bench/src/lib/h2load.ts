// Runs nghttp2's h2load (Debian: nghttp2-client) and reads its report: throughput from the
// summary, latency from the per-request log (h2load prints no percentiles itself).

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadResult } from './load-result.js';
import { mean, percentile } from './stats.js';

export interface H2loadOptions {
  url: string;
  /** File whose bytes every request posts. */
  bodyFile: string;
  headers: Record<string, string>;
  requests: number;
  clients: number;
  /** Streams in flight per client (HTTP/2); with `h1`, the pipelining depth (keep it 1). */
  maxConcurrentStreams: number;
  h1?: boolean;
  /** Response body bytes every request must receive; a run that got fewer failed somewhere. */
  expectResponseBytes?: number;
}

export async function checkH2load(): Promise<string> {
  try {
    const { stdout } = await run(['--version']);
    return stdout.trim();
  } catch {
    throw new Error('h2load not found: install it with `apt-get install -y nghttp2-client`');
  }
}

export async function h2load(options: H2loadOptions): Promise<LoadResult> {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-bench-'));
  const logFile = join(dir, 'requests.tsv');
  try {
    const args = [
      `-n${options.requests}`,
      `-c${options.clients}`,
      `-m${options.maxConcurrentStreams}`,
      '-t1',
      `-d${options.bodyFile}`,
      `--log-file=${logFile}`,
      ...Object.entries(options.headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
    ];
    if (options.h1) args.push('--h1');
    args.push(options.url);
    const { stdout } = await run(args);
    const report = parseReport(stdout, options);
    const latencies = parseLog(await readFile(logFile, 'utf8'));
    return {
      requestsPerSecond: report.requestsPerSecond,
      meanMs: mean(latencies),
      p99Ms: percentile(latencies, 99),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface Report {
  requestsPerSecond: number;
}

/** Reads the summary lines; refuses runs in which any request failed or got the wrong body. */
export function parseReport(
  stdout: string,
  options: Pick<H2loadOptions, 'requests' | 'expectResponseBytes'>,
): Report {
  const finished = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(stdout);
  const requests =
    /requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(
      stdout,
    );
  const status = /status codes: (\d+) 2xx/.exec(stdout);
  const traffic = /traffic: .*?, [\d.]+[KMG]?B \((\d+)\) data/.exec(stdout);
  if (!finished || !requests || !status || !traffic) {
    throw new Error(`h2load: cannot read its report:\n${stdout}`);
  }
  const succeeded = Number(requests[3]);
  const ok = Number(status[1]);
  if (succeeded !== options.requests || ok !== options.requests) {
    throw new Error(
      `h2load: ${options.requests - Math.min(succeeded, ok)} of ${options.requests} requests failed or got a non-2xx status:\n${stdout}`,
    );
  }
  if (options.expectResponseBytes !== undefined) {
    const expected = options.expectResponseBytes * options.requests;
    const got = Number(traffic[1]);
    if (got !== expected) {
      throw new Error(
        `h2load: responses carried ${got} body bytes, expected ${expected} (${options.expectResponseBytes} per request); the server answered something else:\n${stdout}`,
      );
    }
  }
  return { requestsPerSecond: Number(finished[1]) };
}

/** The log has one line per request: start (µs since epoch), HTTP status, duration (µs). */
export function parseLog(text: string): Float64Array {
  const lines = text.split('\n').filter((line) => line !== '');
  const out = new Float64Array(lines.length);
  lines.forEach((line, i) => {
    const duration = Number(line.split('\t')[2]);
    if (!Number.isFinite(duration)) throw new Error(`h2load log line ${i + 1} is malformed: "${line}"`);
    out[i] = duration / 1000;
  });
  return out;
}

function run(args: string[]): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    execFile('h2load', args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`h2load ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve({ stdout });
    });
  });
}
