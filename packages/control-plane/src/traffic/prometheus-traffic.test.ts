import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { PrometheusTraffic } from './prometheus-traffic.js';

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('PrometheusTraffic', () => {
  it('asks Kiali’s graph query on Istio’s standard metrics, and p50/p99 from the histogram', () => {
    const [requests, p50, p99, mesh] = new PrometheusTraffic({ url: 'http://127.0.0.1:9090/' }).queries();
    assert.match(
      requests!,
      /^sum\(rate\(istio_requests_total\{reporter="source"\}\[60s\]\)\) by \(source_workload, .*source_app, source_version, destination_service_name, .*destination_version, response_code, grpc_response_status\)$/,
    );
    assert.match(
      p50!,
      /^histogram_quantile\(0\.5, sum\(rate\(istio_request_duration_milliseconds_bucket\{reporter="source"\}\[60s\]\)\) by \(le, source_workload/,
    );
    assert.match(p99!, /^histogram_quantile\(0\.99, /);
    assert.match(mesh!, /by \(le\)\)$/);
  });

  it('refuses a URL that is not http(s)', () => {
    assert.throws(
      () => new PrometheusTraffic({ url: 'zookeeper://x:2181' }),
      /expected http:\/\/ or https:\/\//,
    );
    assert.throws(() => new PrometheusTraffic({ url: 'not a url' }), /Invalid URL/);
  });

  it('answers an empty graph that says why when Prometheus is not there', async () => {
    const port = await closedPort();
    const source = new PrometheusTraffic({ url: `http://127.0.0.1:${port}`, timeoutMs: 2000 });
    const report = await source.report();
    assert.equal(report.source, 'prometheus');
    assert.deepEqual(report.edges, []);
    assert.match(
      report.error ?? '',
      new RegExp(`^Prometheus at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`),
    );
    // Asked again within a second, the same answer is reused rather than asked again.
    assert.equal(await source.report(), report);
  });
});
