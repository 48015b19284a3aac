// Histograms of the per-call instruments (gRFC A66's durations and sizes, Istio's duration and
// bytes), kept per interned series (series-table.ts) in a cell the hot path updates in place, and
// handed to the OpenTelemetry SDK at collection through its MetricProducer hook (the reader merges
// them with the SDK's own instruments, then the Prometheus serializer prints them all alike). A
// cell keeps what the SDK's explicit-bucket aggregation keeps (count, sum, min, max, counts per
// bucket, a value on a boundary counted in that bucket), cumulative from the cell's first record; negative values are dropped, as the SDK drops them.
// Why not the SDK's Histogram: its record() hashes the attribute set into a string per value
// (sorting and JSON-encoding its keys) and reads the clock; with seven histograms per call that
// was over half of a call's telemetry CPU (bench/README.md, issue 12's cost target).

import { type Attributes, type HrTime, ValueType } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import { emptyResource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  type CollectionResult,
  DataPointType,
  type HistogramMetricData,
  type MetricProducer,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';

/** An instrument's name, unit and description, as in instrument-names.ts. */
export interface HistogramDescriptor {
  readonly name: string;
  readonly unit?: string;
  readonly description: string;
}

/** One series' histogram. */
export class HistogramCell {
  readonly counts: number[];
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  readonly startTime: HrTime = hrTime();

  constructor(private readonly boundaries: readonly number[]) {
    this.counts = new Array<number>(boundaries.length + 1).fill(0);
  }

  record(value: number): void {
    if (!(value >= 0)) return; // the SDK's Histogram drops negative values and NaN
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    // The first boundary >= value (the SDK's binarySearchUB): Prometheus' `le` buckets.
    const b = this.boundaries;
    let lo = 0;
    let hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (b[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    this.counts[lo]!++;
  }
}

/** One instrument: a cell per series. */
export class SeriesHistogram {
  private readonly cells = new Map<Attributes, HistogramCell>();

  constructor(
    readonly descriptor: HistogramDescriptor,
    readonly boundaries: readonly number[],
  ) {}

  /** The cell of `series` (the same object each time: callers may keep it). */
  cell(series: Attributes): HistogramCell {
    let cell = this.cells.get(series);
    if (cell === undefined) this.cells.set(series, (cell = new HistogramCell(this.boundaries)));
    return cell;
  }

  record(value: number, series: Attributes): void {
    this.cell(series).record(value);
  }

  /** The SDK's form of this instrument's points, cumulative up to `endTime`; none before a record. */
  metricData(endTime: HrTime): HistogramMetricData | undefined {
    if (this.cells.size === 0) return undefined;
    const dataPoints: HistogramMetricData['dataPoints'] = [];
    for (const [attributes, c] of this.cells) {
      dataPoints.push({
        attributes,
        startTime: c.startTime,
        endTime,
        value: {
          buckets: { boundaries: [...this.boundaries], counts: [...c.counts] },
          count: c.count,
          sum: c.sum,
          ...(c.count > 0 && { min: c.min, max: c.max }),
        },
      });
    }
    return {
      descriptor: {
        name: this.descriptor.name,
        unit: this.descriptor.unit ?? '',
        description: this.descriptor.description,
        valueType: ValueType.DOUBLE,
      },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints,
    };
  }
}

/**
 * The three histograms a call (or an attempt) records together under one series: its duration,
 * its request size and its response size (A66's attempt and server call, Istio's request). The
 * three cells of a series are found with one lookup, not three.
 */
export class CallHistograms {
  private readonly rows = new Map<Attributes, readonly [HistogramCell, HistogramCell, HistogramCell]>();

  constructor(
    readonly duration: SeriesHistogram,
    readonly requestSize: SeriesHistogram,
    readonly responseSize: SeriesHistogram,
  ) {}

  record(series: Attributes, duration: number, requestBytes: number, responseBytes: number): void {
    let row = this.rows.get(series);
    if (row === undefined) {
      row = [this.duration.cell(series), this.requestSize.cell(series), this.responseSize.cell(series)];
      this.rows.set(series, row);
    }
    row[0].record(duration);
    row[1].record(requestBytes);
    row[2].record(responseBytes);
  }
}

/** A Telemetry's series histograms by instrumentation scope, as a MetricProducer for its reader. */
export class SeriesHistograms implements MetricProducer {
  private readonly scopes = new Map<string, { version: string; histograms: SeriesHistogram[] }>();

  /** A new histogram in scope `scope` (the meter name it would have had). */
  histogram(
    scope: string,
    version: string,
    descriptor: HistogramDescriptor,
    boundaries: readonly number[],
  ): SeriesHistogram {
    let s = this.scopes.get(scope);
    if (s === undefined) this.scopes.set(scope, (s = { version, histograms: [] }));
    const h = new SeriesHistogram(descriptor, boundaries);
    s.histograms.push(h);
    return h;
  }

  async collect(): Promise<CollectionResult> {
    const endTime = hrTime();
    const scopeMetrics: ScopeMetrics[] = [];
    for (const [name, s] of this.scopes) {
      const metrics = s.histograms.flatMap((h) => h.metricData(endTime) ?? []);
      if (metrics.length > 0) scopeMetrics.push({ scope: { name, version: s.version }, metrics });
    }
    return { resourceMetrics: { resource: emptyResource(), scopeMetrics }, errors: [] };
  }
}
