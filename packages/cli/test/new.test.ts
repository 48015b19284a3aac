// `shoal new` end to end: scaffold a mesh app into a temp dir, install it from the Shoal workspace,
// build it, then run it as its README says: `shoal cp` with the app's mesh/ config (on ports the
// test picks), providers v1 and v2 that register themselves, and the consumer, which dials the
// interface name; the app's rollout files shift the weight from v1 to v2.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { freePort, shoal, shoalBin } from '@shoal/testing';
import { parseAllDocuments } from 'yaml';
import { ProcessGroup } from '../src/demo/process-group.js';

const run = promisify(execFile);

/**
 * The install step, in one place: the app links Shoal's packages from this checkout
 * (src/scaffold/shoal-dependencies.ts) and takes the rest from the npm cache or registry.
 */
async function installApp(dir: string): Promise<void> {
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: dir,
    timeout: 180_000,
  });
}

/** Calls made by the app's consumer (`npm run consumer -- COUNT`), by provider version. */
async function consumerSplit(dir: string, count: number): Promise<Record<string, number>> {
  const { stdout } = await run('npm', ['run', '--silent', 'consumer', '--', String(count)], {
    cwd: dir,
    timeout: 60_000,
  });
  const split: Record<string, number> = {};
  for (const m of stdout.matchAll(/^\s*(\d+) {2}orders-api-(v\d)@/gm)) split[m[2]!] = Number(m[1]);
  assert.equal(
    Object.values(split).reduce((a, b) => a + b, 0),
    count,
    `every call answered by a provider:\n${stdout}`,
  );
  return split;
}

describe('shoal new', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'shoal-new-')), 'orders-api');
  const processes = new ProcessGroup(() => {});
  after(() => processes.stopAll(3000));

  it('scaffolds a mesh app that installs, builds, registers and shifts weight', {
    timeout: 300_000,
  }, async () => {
    const created = await shoal(['new', dir]);
    assert.equal(created.code, 0, created.stderr);
    for (const file of [
      'proto/ordersapi/v1/ordersapi.proto',
      'src/provider.ts',
      'src/consumer.ts',
      'mesh/orders-api.yaml',
      'rollout/canary-20.yaml',
      'rollout/all-v2.yaml',
      'README.md',
    ]) {
      assert.ok(existsSync(join(dir, file)), `missing ${file}`);
    }
    const bootstrapFile = join(dir, 'bootstrap.json');
    const bootstrap = JSON.parse(readFileSync(bootstrapFile, 'utf8'));
    assert.equal(bootstrap.xds_servers[0].server_uri, '127.0.0.1:15010');

    await installApp(dir);
    await run('npm', ['run', 'build'], { cwd: dir, timeout: 120_000 });

    const cp = processes.start({
      name: 'cp',
      args: [shoalBin, 'cp', '--xds-port', '0', '--admin-port', '0', '--config', join(dir, 'mesh')],
      cwd: dir,
      readyPattern: /xDS \(ADS\) on ([\d.]+:\d+), admin API on http:\/\/([\d.]+:\d+)/,
    });
    const [, xds, admin] = await cp.ready;
    // Pointing the app at this control plane is an edit of its bootstrap, as a user would make it.
    bootstrap.xds_servers[0].server_uri = xds;
    writeFileSync(bootstrapFile, JSON.stringify(bootstrap));

    // Two providers on one port and two loopback addresses, as the app's scripts run them.
    const net = `127.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
    const port = await freePort(`${net}.11`);
    const providers = ['v1', 'v2'].map((version, i) =>
      processes.start({
        name: version,
        args: ['dist/provider.js'],
        cwd: dir,
        env: { VERSION: version, HOST: `${net}.${11 + i}`, PORT: String(port) },
        readyPattern: /^serving:/,
      }),
    );
    await Promise.all(providers.map((p) => p.ready));

    assert.deepEqual(await consumerSplit(dir, 100), { v1: 100 });

    // From the app's folder, where `npm run cp` keeps the admin token (./.shoal).
    const canary = await shoal(['apply', '-f', join(dir, 'rollout/canary-20.yaml'), '--admin', admin!], {
      cwd: dir,
    });
    assert.equal(canary.code, 0, canary.stderr);
    // 80/20 over 200 calls: v2 expects 40 (sd 5.7); 10..90 is more than 5 sd either way.
    const split = await consumerSplit(dir, 200);
    assert.ok(split.v2! >= 10 && split.v2! <= 90 && split.v1! >= 110, JSON.stringify(split));

    const allV2 = await shoal(['apply', '-f', join(dir, 'rollout/all-v2.yaml'), '--admin', admin!], {
      cwd: dir,
    });
    assert.equal(allV2.code, 0, allV2.stderr);
    assert.deepEqual(await consumerSplit(dir, 50), { v2: 50 });
  });

  it('writes Kubernetes/Istio manifests that agree with each other', async () => {
    const manifests = parseAllDocuments(readFileSync(join(dir, 'deploy/kubernetes.yaml'), 'utf8')).map((d) =>
      d.toJS(),
    );
    const of = (kind: string) => manifests.filter((m) => m.kind === kind);
    assert.deepEqual(
      manifests.map((m) => m.kind),
      ['Service', 'Deployment', 'Deployment', 'DestinationRule', 'VirtualService', 'Deployment'],
    );
    const [service] = of('Service');
    const host = `${service.metadata.name}.default.svc.cluster.local`;
    const port = service.spec.ports[0].port;
    for (const d of of('Deployment')) {
      const template = d.spec.template;
      assert.equal(template.metadata.annotations['inject.istio.io/templates'], 'grpc-agent', d.metadata.name);
      // Prometheus scrapes each workload's own metrics (@shoal/telemetry, SHOAL_ADMIN_PORT).
      assert.equal(template.metadata.annotations['prometheus.io/scrape'], 'true', d.metadata.name);
      assert.equal(template.metadata.annotations['prometheus.io/port'], '15020', d.metadata.name);
      assert.equal(template.metadata.annotations['prometheus.io/path'], '/stats/prometheus', d.metadata.name);
      assert.deepEqual(d.spec.selector.matchLabels, template.metadata.labels);
    }
    const [dr] = of('DestinationRule');
    const [vs] = of('VirtualService');
    assert.equal(dr.spec.host, host);
    assert.deepEqual(vs.spec.hosts, [host]);
    const subsets = dr.spec.subsets.map((s: { name: string; labels: object }) => s.labels);
    const providers = of('Deployment').filter(
      (d) => d.spec.template.metadata.labels.app === service.spec.selector.app,
    );
    assert.deepEqual(
      providers
        .map((d) => d.spec.template.metadata.labels)
        .map(({ version }: { version: string }) => ({ version })),
      subsets,
    );
    const env = (d: {
      spec: { template: { spec: { containers: { env: { name: string; value: string }[] }[] } } };
    }) => Object.fromEntries(d.spec.template.spec.containers[0]!.env.map((e) => [e.name, e.value]));
    assert.deepEqual(
      providers.map(env).map((e) => e.VERSION),
      ['v1', 'v2'],
    );
    const consumer = of('Deployment').find((d) => !providers.includes(d));
    assert.equal(env(consumer).TARGET, `xds:///${host}:${port}`);
    const valid = await shoal(['validate', '-f', join(dir, 'deploy/kubernetes.yaml')]);
    assert.equal(valid.code, 0, valid.stdout + valid.stderr);
  });

  it('refuses a folder that is not empty, and a bad name', async () => {
    const again = await shoal(['new', dir]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /exists and is not empty/);
    // A folder of our own that does not exist yet, so only the name can be refused.
    const fresh = join(mkdtempSync(join(tmpdir(), 'shoal-new-')), 'app');
    const badName = await shoal(['new', fresh, '--name', 'Bad_Name']);
    assert.equal(badName.code, 2);
    assert.match(badName.stderr, /lower-case letters, digits and dashes/);
  });

  it('shoal gen explains a folder without protos', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'shoal-gen-'));
    const r = await shoal(['gen', empty]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /has no proto\/ folder/);
  });
});
