// A real Prometheus (Debian's `prometheus`) on the prometheus.yml `shoal demo --prometheus` writes:
// it finds every process of the running demo through the control plane's HTTP service discovery,
// scrapes them, and answers Kiali's graph query with the demo's edges split by version once the
// canary moves 20% to v2; gRFC A66's histograms have their buckets. `shoal top` shows the
// consumer's edges from its load reports meanwhile. The demo runs with --prometheus-url, so the
// console's traffic picture (GET /api/traffic) is read from that Prometheus: first an error that
// says it is not there, then the same edges with their split. Ports are picked here; both
// processes are stopped at the end.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { A66_LATENCY_BUCKETS } from '@shoal/telemetry';
import { shoal, spawnShoal } from '@shoal/testing';

const canary = fileURLToPath(new URL('../../../demo/tour/canary-20.yaml', import.meta.url));
const KIALI =
  'sum(rate(istio_requests_total{reporter="source"}[1m])) by (source_workload, destination_service_name, destination_version, response_code)';

function free(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** A port free on every host given (the demo's providers share one port on 127.0.0.11-13). */
async function pickPort(hosts: string[], used: Set<number>): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    if (used.has(port)) continue;
    if ((await Promise.all(hosts.map((h) => free(port, h)))).every(Boolean)) {
      used.add(port);
      return port;
    }
  }
  throw new Error('no free port found');
}

interface Series {
  metric: Record<string, string>;
  value: [number, string];
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('Prometheus scrapes a running Shoal mesh', {
  skip: !existsSync('/usr/bin/prometheus') && 'no prometheus',
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-prometheus-'));
  const children: ChildProcess[] = [];

  after(async () => {
    for (const c of children.reverse()) {
      if (c.exitCode !== null || c.signalCode !== null) continue;
      c.kill('SIGINT');
      const timer = setTimeout(() => c.kill('SIGKILL'), 8000);
      await once(c, 'exit');
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the targets from the control plane and answers Kiali’s graph query', {
    timeout: 150_000,
  }, async () => {
    const used = new Set<number>();
    const local = ['127.0.0.1'];
    const pods = ['127.0.0.1', '127.0.0.11', '127.0.0.12', '127.0.0.13'];
    const ports = {
      xds: await pickPort(local, used),
      admin: await pickPort(local, used),
      provider: await pickPort(pods, used),
      metrics: await pickPort(pods, used),
      prometheus: await pickPort(local, used),
    };
    const config = join(dir, 'prometheus.yml');
    const demo = spawnShoal(
      [
        'demo',
        `--xds-port=${ports.xds}`,
        `--admin-port=${ports.admin}`,
        `--provider-port=${ports.provider}`,
        `--metrics-port=${ports.metrics}`,
        '--duration=140s',
        `--prometheus=${config}`,
        `--prometheus-url=http://127.0.0.1:${ports.prometheus}`,
        `--data-dir=${join(dir, '.shoal')}`, // not the repository's ./.shoal
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(demo);
    let output = '';
    demo.stdout!.on('data', (d) => (output += d));
    demo.stderr!.on('data', (d) => (output += d));
    await until(async () => (output.includes(`wrote ${config}`) ? true : undefined), 'the demo', 60_000);
    assert.match(output, /prometheus --config\.file=/, 'it says how to run Prometheus');
    const admin = `127.0.0.1:${ports.admin}`;
    // Before Prometheus runs, the console's traffic picture says so (502) rather than showing nothing.
    const down = await fetch(`http://${admin}/api/traffic`);
    assert.equal(down.status, 502);
    const downBody = (await down.json()) as { source: string; error?: string; edges: unknown[] };
    assert.equal(downBody.source, 'prometheus');
    assert.match(downBody.error ?? '', /^Prometheus at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    const applied = await shoal(['apply', '-f', canary, '--admin', admin, '--data-dir', join(dir, '.shoal')]);
    assert.equal(applied.code, 0, applied.stderr);
    // `shoal top` shows the same edges from the consumer's load reports (LRS), no Prometheus needed.
    const top = await until(
      async () => {
        const r = await shoal(['top', '--once', '--window', '5s', '--admin', admin]);
        return /^demo-consumer\s+greeter:\d+\s+v1\s+[\d.]+/m.test(r.stdout) ? r.stdout : undefined;
      },
      'shoal top to show the consumer’s edge',
      30_000,
    );
    assert.match(top, /^SOURCE\s+DESTINATION\s+SUBSET\s+CALLS\/S\s+ERRORS\s+LATENCY/m);
    const json = JSON.parse((await shoal(['top', '-o', 'json', '--admin', admin])).stdout) as {
      edges: { source: { workload: string }; destination: { service: string } }[];
    };
    assert.ok(json.edges.some((e) => e.source.workload === 'demo-consumer'));

    const prometheus = spawn(
      '/usr/bin/prometheus',
      [
        `--config.file=${config}`,
        `--web.listen-address=127.0.0.1:${ports.prometheus}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    children.push(prometheus);
    let prometheusLog = '';
    prometheus.stderr!.on('data', (d) => (prometheusLog += d));
    const api = async <T>(path: string): Promise<T> => {
      const res = await fetch(`http://127.0.0.1:${ports.prometheus}${path}`);
      const body = (await res.json()) as { status: string; data: T };
      if (body.status !== 'success') throw new Error(JSON.stringify(body));
      return body.data;
    };
    const query = (q: string) =>
      api<{ result: Series[] }>(`/api/v1/query?query=${encodeURIComponent(q)}`).then((d) => d.result);

    // Every process of the demo, found through http_sd, is up.
    type Target = {
      health: string;
      labels: Record<string, string>;
      discoveredLabels: Record<string, string>;
    };
    const targets = await until(
      async () => {
        const t = (await api<{ activeTargets: Target[] }>('/api/v1/targets')).activeTargets;
        return t.length === 5 && t.every((x) => x.health === 'up') ? t : undefined;
      },
      `5 healthy targets (${prometheusLog})`,
      60_000,
    );
    const apps = targets.map((t) => t.labels.app).sort();
    assert.deepEqual(apps, ['demo-consumer', 'greeter', 'greeter', 'greeter', 'shoal-control-plane']);
    assert.ok(targets.every((t) => t.discoveredLabels.__meta_shoal_app !== undefined));

    // Kiali's graph query: the consumer's edges to greeter, split v1/v2 by the canary.
    const edges = await until(
      async () => {
        const r = await query(KIALI);
        const versions = new Set(r.map((s) => s.metric.destination_version));
        return versions.has('v1') && versions.has('v2') ? r : undefined;
      },
      'Kiali’s edges to v1 and v2',
      60_000,
    );
    for (const s of edges) {
      assert.equal(s.metric.source_workload, 'demo-consumer');
      assert.equal(s.metric.destination_service_name, 'greeter');
      assert.equal(s.metric.response_code, '200');
    }
    const rate = (v: string) => Number(edges.find((s) => s.metric.destination_version === v)!.value[1]);
    assert.ok(rate('v1') > rate('v2') && rate('v2') > 0, `v1 ${rate('v1')}/s, v2 ${rate('v2')}/s`);

    // The console's graph from the same Prometheus: the demo's edges with their split and p99.
    type Report = {
      source: string;
      windowSeconds: number;
      nodes: { id: string; kind: string }[];
      edges: {
        source: string;
        destination: string;
        requestsPerSecond: number;
        errorRate: number;
        p99Ms?: number;
        byStatus?: Record<string, number>;
      }[];
      totals: { requestsPerSecond: number; p99Ms?: number };
    };
    const traffic = await until(
      async () => {
        const res = await fetch(`http://${admin}/api/traffic`);
        const r = (await res.json()) as Report;
        return res.status === 200 && r.edges.length === 2 ? r : undefined;
      },
      'the console’s traffic from Prometheus',
      30_000,
    );
    assert.equal(traffic.source, 'prometheus');
    assert.equal(traffic.windowSeconds, 60);
    assert.deepEqual(traffic.edges.map((e) => `${e.source}->${e.destination}`).sort(), [
      'demo-consumer->greeter:v1',
      'demo-consumer->greeter:v2',
    ]);
    assert.deepEqual(traffic.nodes.find((n) => n.id === 'demo-consumer')?.kind, 'workload');
    const edge = (v: string) => traffic.edges.find((e) => e.destination === `greeter:${v}`)!;
    const share =
      edge('v2').requestsPerSecond / (edge('v1').requestsPerSecond + edge('v2').requestsPerSecond);
    assert.ok(share > 0 && share < 0.5, `v2 share ${share}`);
    for (const e of traffic.edges) {
      assert.equal(e.errorRate, 0);
      assert.ok(e.p99Ms !== undefined && e.p99Ms > 0 && e.p99Ms < 1000, `p99 ${e.p99Ms} ms`);
      assert.ok((e.byStatus?.OK ?? 0) > 0);
    }
    assert.ok(traffic.totals.requestsPerSecond > 0 && (traffic.totals.p99Ms ?? 0) > 0);
    console.log(
      `console traffic from Prometheus: v1 ${edge('v1').requestsPerSecond.toFixed(1)}/s, v2 ${edge('v2').requestsPerSecond.toFixed(1)}/s (v2 share ${(100 * share).toFixed(0)} %, 1-min rate since the canary), p99 ${traffic.totals.p99Ms?.toFixed(1)} ms`,
    );

    // A66's histograms: A66's bucket boundaries, and a median latency that makes sense.
    const buckets = await query('grpc_client_attempt_duration_bucket{grpc_status="OK"}');
    const les = [...new Set(buckets.map((s) => s.metric.le!))]
      .map((le) => (le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le)))
      .sort((a, b) => a - b);
    assert.deepEqual(les, [...A66_LATENCY_BUCKETS, Number.POSITIVE_INFINITY]);
    const [median] = await query(
      'histogram_quantile(0.5, sum by (le) (rate(grpc_client_attempt_duration_bucket{grpc_status="OK"}[1m])))',
    );
    const seconds = Number(median?.value[1]);
    assert.ok(seconds > 0 && seconds < 1, `median attempt ${seconds} s`);
    const [pilot] = await query('sum(pilot_xds)');
    assert.equal(Number(pilot?.value[1]), 4, 'the control plane sees 4 xDS clients');
  });
});
