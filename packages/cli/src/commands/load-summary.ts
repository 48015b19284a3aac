// The summary of `shoal call --count N`: outcomes by status, latency percentiles, and calls by
// endpoint and by cluster, so a user sees a weighted route at work.

import { type Code, codeName } from '@shoal/rpc';
import { renderTable } from '../output/table.js';

export interface CallOutcome {
  code: Code;
  latencyMs: number;
  endpoint: string;
  cluster: string;
}

export interface LoadSummary {
  calls: number;
  ok: number;
  errors: number;
  durationMs: number;
  callsPerSecond: number;
  byStatus: Record<string, number>;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  byEndpoint: { endpoint: string; cluster: string; calls: number; share: number }[];
  byCluster: { cluster: string; calls: number; share: number }[];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

export function summarize(outcomes: CallOutcome[], durationMs: number): LoadSummary {
  const latencies = outcomes.map((o) => o.latencyMs).sort((a, b) => a - b);
  const byStatus: Record<string, number> = {};
  const endpoints = new Map<string, { cluster: string; calls: number }>();
  const clusters = new Map<string, number>();
  for (const o of outcomes) {
    byStatus[codeName(o.code)] = (byStatus[codeName(o.code)] ?? 0) + 1;
    const key = `${o.endpoint}\u0000${o.cluster}`;
    const e = endpoints.get(key) ?? { cluster: o.cluster, calls: 0 };
    e.calls++;
    endpoints.set(key, e);
    clusters.set(o.cluster, (clusters.get(o.cluster) ?? 0) + 1);
  }
  const total = outcomes.length;
  const ok = byStatus.OK ?? 0;
  return {
    calls: total,
    ok,
    errors: total - ok,
    durationMs: round(durationMs),
    callsPerSecond: round(total / (durationMs / 1000 || 1)),
    byStatus,
    latencyMs: {
      p50: round(percentile(latencies, 50)),
      p90: round(percentile(latencies, 90)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies.at(-1) ?? 0),
    },
    byEndpoint: [...endpoints.entries()]
      .map(([key, v]) => ({
        endpoint: key.split('\u0000')[0]!,
        cluster: v.cluster,
        calls: v.calls,
        share: round((100 * v.calls) / total),
      }))
      .sort((a, b) => b.calls - a.calls),
    byCluster: [...clusters.entries()]
      .map(([cluster, calls]) => ({ cluster, calls, share: round((100 * calls) / total) }))
      .sort((a, b) => b.calls - a.calls),
  };
}

export function renderSummary(s: LoadSummary): string {
  const statuses = Object.entries(s.byStatus)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return [
    `calls ${s.calls}   ok ${s.ok}   errors ${s.errors}   (${statuses})`,
    `duration ${(s.durationMs / 1000).toFixed(2)}s   ${s.callsPerSecond.toFixed(1)} calls/s`,
    `latency p50 ${s.latencyMs.p50.toFixed(2)}ms   p90 ${s.latencyMs.p90.toFixed(2)}ms   p99 ${s.latencyMs.p99.toFixed(2)}ms   max ${s.latencyMs.max.toFixed(2)}ms`,
    '',
    renderTable(
      ['ENDPOINT', 'CLUSTER', 'CALLS', 'SHARE'],
      s.byEndpoint.map((e) => [e.endpoint, e.cluster, e.calls, `${e.share.toFixed(1)}%`]),
    ),
    '',
    renderTable(
      ['CLUSTER', 'CALLS', 'SHARE'],
      s.byCluster.map((c) => [c.cluster, c.calls, `${c.share.toFixed(1)}%`]),
    ),
  ].join('\n');
}
