// The mesh's own resilience counters: outlier ejections (gRFC A50), circuit-breaker rejections
// (A32), retries (A44) and fault injections (A33), by cluster. The mesh transport calls these
// hooks; each label set is interned (series-table.ts).

import type { Counter, Meter } from '@opentelemetry/api';
import { type Code, codeName } from '@shoal/rpc/client';
import { MESH } from './instrument-names.js';
import type { SeriesTable } from './series-table.js';

/** What a mesh client reports; `target` is its xDS target. */
export interface MeshMetrics {
  ejected(cluster: string, endpoint: string, reason: string): void;
  circuitBreakerRejected(cluster: string): void;
  retried(cluster: string, code: Code): void;
  faultInjected(cluster: string, kind: 'delay' | 'abort'): void;
}

export class MeshInstruments {
  private readonly ejections: Counter;
  private readonly rejections: Counter;
  private readonly retries: Counter;
  private readonly faults: Counter;

  constructor(
    meter: Meter,
    private readonly table: SeriesTable,
  ) {
    const counter = (d: { name: string; unit: string; description: string }) =>
      meter.createCounter(d.name, { unit: d.unit, description: d.description });
    this.ejections = counter(MESH.ejections);
    this.rejections = counter(MESH.circuitBreakerRejections);
    this.retries = counter(MESH.retries);
    this.faults = counter(MESH.faults);
  }

  recorder(target: string): MeshMetrics {
    const labels = (cluster: string, extra: Record<string, string> = {}) => ({
      'grpc.target': target,
      'shoal.cluster': cluster,
      ...extra,
    });
    const series = (key: string, build: () => Record<string, string>) =>
      this.table.series(`mesh|${target}|${key}`, build);
    return {
      ejected: (cluster, endpoint, reason) =>
        this.ejections.add(
          1,
          series(`e|${cluster}|${endpoint}|${reason}`, () =>
            labels(cluster, { 'shoal.endpoint': endpoint, 'shoal.reason': reason }),
          ),
        ),
      circuitBreakerRejected: (cluster) =>
        this.rejections.add(
          1,
          series(`cb|${cluster}`, () => labels(cluster)),
        ),
      retried: (cluster, code) =>
        this.retries.add(
          1,
          series(`r|${cluster}|${code}`, () => labels(cluster, { 'grpc.status': codeName(code) })),
        ),
      faultInjected: (cluster, kind) =>
        this.faults.add(
          1,
          series(`f|${cluster}|${kind}`, () => labels(cluster, { 'shoal.fault': kind })),
        ),
    };
  }
}
