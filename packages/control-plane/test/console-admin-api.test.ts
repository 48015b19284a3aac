// The admin API the web console uses, end to end over HTTP against a running control plane: its
// static files, server-sent events, apply previews with diffs, the history and rollback, the live
// analysis, and test calls (direct and through the mesh) to a real server found in the registry.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Server } from '@shoal/rpc';
import { ControlPlane } from '../src/control-plane.js';
import type { TrafficReport } from '../src/traffic/traffic-source.js';

// biome-ignore lint/suspicious/noExplicitAny: the suite reads JSON answers loosely.
type Json = any;

const VS = (weights: [number, number]) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: health }
spec:
  hosts: [health.example.com]
  http:
    - route:
        - { destination: { host: health.example.com, subset: a }, weight: ${weights[0]} }
        - { destination: { host: health.example.com, subset: b }, weight: ${weights[1]} }
`;

/** Reads server-sent events from `url` until `done` says stop; every event is kept. */
function readEvents(url: string, done: (events: { event: string; data: unknown }[]) => boolean) {
  return new Promise<{ event: string; data: unknown }[]>((resolve, reject) => {
    const events: { event: string; data: unknown }[] = [];
    const req = http.get(url, (res) => {
      assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
        if (done(events)) {
          req.destroy();
          resolve(events);
        }
      });
    });
    req.on('error', reject);
  });
}

describe('admin API for the console', () => {
  const consoleDir = mkdtempSync(join(tmpdir(), 'shoal-console-'));
  writeFileSync(join(consoleDir, 'index.html'), '<!doctype html><title>console</title>');
  const report: TrafficReport = {
    source: 'test',
    windowSeconds: 5,
    at: new Date(0).toISOString(),
    nodes: [{ id: 'a', app: 'a', kind: 'workload' }],
    edges: [],
    totals: { requestsPerSecond: 0, errorRate: 0 },
  };
  const cp = new ControlPlane({ xdsPort: 0, adminPort: 0, consoleDir, traffic: { report: () => report } });
  const server = new Server({ standardServices: true });
  let admin = '';
  const api = async (method: string, path: string, body?: string) => {
    const type = body?.trimStart().startsWith('{') ? 'application/json' : 'application/yaml';
    const headers = { authorization: `Bearer ${cp.adminToken}`, 'content-type': type };
    const res = await fetch(admin + path, { method, headers, ...(body !== undefined ? { body } : {}) });
    return { status: res.status, body: (await res.json()) as Record<string, Json> };
  };

  before(async () => {
    const a = await cp.start();
    admin = `http://${a.admin.host}:${a.admin.port}`;
    const { port } = await server.listen(0, '127.0.0.1');
    // A service found through the registry, serving grpc.health.v1.Health with reflection.
    const applied = await api(
      'POST',
      '/api/apply',
      `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: health, annotations: { shoal.io/interfaces: grpc.health.v1.Health } }
spec:
  hosts: [health.example.com]
  ports: [{ number: ${port}, name: grpc, protocol: GRPC }]
  resolution: STATIC
  endpoints: [{ address: 127.0.0.1, labels: { v: a } }]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: health }
spec:
  host: health.example.com
  subsets: [{ name: a, labels: { v: a } }, { name: b, labels: { v: b } }]
`,
    );
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
  });
  after(async () => {
    await server.close(0);
    await cp.stop(100);
  });

  it('serves the console at / with a content security policy, and the API beside it', async () => {
    const res = await fetch(`${admin}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.match(await res.text(), /<title>console<\/title>/);
    assert.equal((await fetch(`${admin}/assets/..%2f..%2fetc%2fpasswd`)).status, 404);
    assert.equal((await fetch(`${admin}/assets/missing.js`)).status, 404);
    assert.equal((await api('GET', '/api/status')).body.traffic, 'on');
  });

  it('previews an apply with a diff, then applies it, and keeps the history', async () => {
    const first = await api('POST', '/api/apply?source=test', VS([100, 0]));
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const preview = await api('POST', '/api/apply?dryRun=true', VS([80, 20]));
    assert.equal(preview.body.dryRun, true);
    assert.equal(preview.body.changes.length, 1);
    const change = preview.body.changes[0];
    assert.equal(change.type, 'updated');
    assert.match(change.patch, /^-\s+weight: 100$/m);
    assert.match(change.patch, /^\+\s+weight: 80$/m);
    assert.doesNotMatch(change.after, /resourceVersion/);
    const unchanged = await api('GET', '/api/config/vs/default/health');
    assert.equal(unchanged.body.spec.http[0].route[0].weight, 100, 'a preview stores nothing');

    const applied = await api('POST', '/api/apply?source=console', VS([80, 20]));
    const history = await api('GET', '/api/history');
    assert.equal(history.body.current, applied.body.version);
    const [latest, previous] = history.body.items;
    assert.equal(latest.version, applied.body.version);
    assert.equal(latest.source, 'console');
    assert.equal(previous.source, 'test');
    assert.equal(previous.canRollBack, true);
    const entry = await api('GET', `/api/history/${latest.version}`);
    assert.match(entry.body.changes[0].patch, /\+\s+weight: 20/);
    assert.equal((await api('GET', '/api/history/99999')).status, 404);

    const rolled = await api('POST', `/api/history/${previous.version}/rollback`);
    assert.equal(rolled.status, 200, JSON.stringify(rolled.body));
    assert.equal(rolled.body.rolledBackTo, previous.version);
    const now = await api('GET', '/api/config/vs/default/health');
    assert.equal(now.body.spec.http[0].route[0].weight, 100);
    const after = await api('GET', '/api/history');
    assert.equal(after.body.items[0].source, `rollback to version ${previous.version}`);
  });

  it('points validation errors at the field, with Istio-style messages', async () => {
    const bad = VS([80, 20]).replace('weight: 20', 'weight: -5');
    const res = await api('POST', '/api/validate', bad);
    assert.equal(res.body.valid, false);
    const weight = res.body.errors.find((e: { path: string }) => e.path === 'spec.http[0].route[1].weight');
    assert.ok(weight, JSON.stringify(res.body.errors));
    assert.equal(weight.line, 9);
    assert.ok(weight.column > 60, `column ${weight.column} is that of the value`);
    const rejected = await api('POST', '/api/apply', bad);
    assert.equal(rejected.status, 400);
    assert.equal(rejected.body.errors[0].line, 9);
  });

  it('streams config, status and traffic as server-sent events', async () => {
    const watching = readEvents(`${admin}/api/events`, (events) => events.some((e) => e.event === 'config'));
    await new Promise((r) => setTimeout(r, 200));
    await api('POST', '/api/apply?source=sse', VS([50, 50]));
    const events = await watching;
    const names = events.map((e) => e.event);
    assert.deepEqual(names.slice(0, 3), ['status', 'clients', 'traffic']);
    const config = events.find((e) => e.event === 'config')!.data as Record<string, Json>;
    assert.equal(config.source, 'sse');
    assert.deepEqual(config.changes, [
      { type: 'updated', kind: 'VirtualService', namespace: 'default', name: 'health' },
    ]);
    assert.deepEqual((events[2]!.data as TrafficReport).nodes, report.nodes);
  });

  it('reports the live analysis', async () => {
    await api('POST', '/api/apply', VS([50, 50]).replace('subset: b', 'subset: c'));
    const analysis = await api('GET', '/api/analysis');
    assert.ok(
      analysis.body.errors.some((e: { message: string }) => /health\.example\.com\+c/.test(e.message)),
      JSON.stringify(analysis.body),
    );
    assert.deepEqual(analysis.body.nacks, []);
    await api('POST', '/api/apply', VS([100, 0]));
  });

  it('lists methods by reflection and makes a test call, direct and through the mesh', async () => {
    const methods = await api('GET', '/api/call/methods?target=grpc.health.v1.Health');
    assert.equal(methods.status, 200, JSON.stringify(methods.body));
    const health = methods.body.services.find((s: { name: string }) => s.name === 'grpc.health.v1.Health');
    const check = health.methods.find((m: { name: string }) => m.name === 'Check');
    assert.equal(check.kind, 'unary');
    assert.deepEqual(check.template, { service: '' });

    const direct = await api(
      'POST',
      '/api/call',
      JSON.stringify({
        target: 'grpc.health.v1.Health',
        method: 'grpc.health.v1.Health/Check',
        endpoint: methods.body.address,
        body: {},
      }),
    );
    assert.equal(direct.status, 200, JSON.stringify(direct.body));
    assert.equal(direct.body.via, 'direct');
    assert.deepEqual(direct.body.response, { status: 'SERVING' });

    const mesh = await api(
      'POST',
      '/api/call',
      JSON.stringify({
        target: 'grpc.health.v1.Health',
        method: 'grpc.health.v1.Health/Check',
        body: { service: '' },
      }),
    );
    assert.equal(mesh.status, 200, JSON.stringify(mesh.body));
    assert.equal(mesh.body.via, 'mesh');
    assert.equal(mesh.body.status.name, 'OK');
    assert.deepEqual(mesh.body.response, { status: 'SERVING' });
    const [decision] = mesh.body.decisions;
    assert.match(decision.cluster, /^outbound\|\d+\|a\|health\.example\.com$/);
    assert.equal(decision.endpoint, methods.body.address);
    assert.ok(decision.why.length > 0);

    const missing = await api(
      'POST',
      '/api/call',
      JSON.stringify({ target: 'no.Such', method: 'no.Such/X' }),
    );
    assert.equal(missing.status, 404);
    assert.match(missing.body.error, /no registered instance serves "no.Such"/);
    const badBody = await api(
      'POST',
      '/api/call',
      JSON.stringify({
        target: 'grpc.health.v1.Health',
        method: 'grpc.health.v1.Health/Check',
        body: { nope: 1 },
      }),
    );
    assert.equal(badBody.status, 400);
    assert.match(badBody.body.error, /body is not a grpc\.health\.v1\.HealthCheckRequest/);
  });
});
