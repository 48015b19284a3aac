// The series histograms aggregate exactly as the OpenTelemetry SDK's explicit-bucket histogram
// does (the same values recorded into both, the collected points compared), and reach the reader
// through its MetricProducer hook beside the SDK's own instruments.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DataPointType,
  type Histogram,
  MeterProvider,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { A66_LATENCY_BUCKETS, ENVOY_DEFAULT_BUCKETS } from './instrument-names.js';
import { CallHistograms, SeriesHistograms } from './series-histogram.js';

class Reader extends MetricReader {
  protected override onForceFlush = () => Promise.resolve();
  protected override onShutdown = () => Promise.resolve();
}

function histogramOf(metrics: ResourceMetrics, name: string) {
  for (const scope of metrics.scopeMetrics)
    for (const m of scope.metrics)
      if (m.descriptor.name === name && m.dataPointType === DataPointType.HISTOGRAM) return { scope, m };
  throw new Error(`no histogram ${name}`);
}

describe('series histograms', () => {
  it('aggregate like the SDK histogram (buckets with values on boundaries, sum, count, min, max)', async () => {
    const histograms = new SeriesHistograms();
    const reader = new Reader({ metricProducers: [histograms] });
    const provider = new MeterProvider({ readers: [reader] });
    const meter = provider.getMeter('sdk');
    for (const [name, buckets] of [
      ['latency', A66_LATENCY_BUCKETS],
      ['envoy', ENVOY_DEFAULT_BUCKETS],
    ] as const) {
      const sdk = meter.createHistogram(`sdk.${name}`, { advice: { explicitBucketBoundaries: buckets } });
      const ours = histograms.histogram('shoal', '1', { name: `ours.${name}`, description: 'd' }, buckets);
      const a = { series: 'a' };
      const b = { series: 'b' };
      let seed = 7;
      const values = [0, 1, ...buckets, ...buckets.map((x) => x * 1.0001), -1, 1e12];
      for (let i = 0; i < 2000; i++) {
        seed = (seed * 48271) % 2147483647;
        values.push((seed / 2147483647) * (buckets.at(-1)! * 1.2));
      }
      values.forEach((v, i) => {
        const series = i % 3 === 0 ? b : a;
        sdk.record(v, series);
        ours.record(v, series);
      });
      const { resourceMetrics, errors } = await reader.collect();
      assert.deepEqual(errors, []);
      const theirs = histogramOf(resourceMetrics, `sdk.${name}`).m.dataPoints;
      const { scope, m } = histogramOf(resourceMetrics, `ours.${name}`);
      assert.deepEqual(scope.scope, { name: 'shoal', version: '1' });
      assert.equal(m.dataPoints.length, 2);
      for (const point of m.dataPoints) {
        const peer = theirs.find((p) => p.attributes.series === point.attributes.series)!;
        const [x, y] = [point.value as Histogram, peer.value as Histogram];
        assert.deepEqual(x.buckets, y.buckets);
        assert.equal(x.count, y.count);
        assert.equal(x.min, y.min);
        assert.equal(x.max, y.max);
        assert.ok(Math.abs(x.sum! - y.sum!) <= 1e-9 * Math.abs(y.sum!));
      }
    }
    await provider.shutdown();
  });

  it('report nothing for a histogram never recorded, as the SDK does', async () => {
    const histograms = new SeriesHistograms();
    histograms.histogram('shoal', '1', { name: 'idle', description: 'd' }, [1, 2]);
    const { resourceMetrics } = await histograms.collect();
    assert.deepEqual(resourceMetrics.scopeMetrics, []);
  });
});

describe('call histograms', () => {
  it('record a duration and two sizes into their three histograms, per series', () => {
    const histograms = new SeriesHistograms();
    const make = (name: string) => histograms.histogram('shoal', '0', { name, description: name }, [1, 10]);
    const calls = new CallHistograms(make('duration'), make('request'), make('response'));
    const a = { 'shoal.series': 'a' };
    const b = { 'shoal.series': 'b' };
    calls.record(a, 0.5, 5, 50);
    calls.record(a, 2, 20, 0);
    calls.record(b, 1, 1, 1);
    const cells = (series: typeof a) =>
      [calls.duration, calls.requestSize, calls.responseSize].map((h) => {
        const c = h.cell(series);
        return [c.count, c.sum, [...c.counts]];
      });
    assert.deepEqual(cells(a), [
      [2, 2.5, [1, 1, 0]],
      [2, 25, [0, 1, 1]],
      [2, 50, [1, 0, 1]],
    ]);
    assert.deepEqual(cells(b), [
      [1, 1, [1, 0, 0]],
      [1, 1, [1, 0, 0]],
      [1, 1, [1, 0, 0]],
    ]);
  });
});
