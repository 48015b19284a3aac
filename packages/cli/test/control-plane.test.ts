// `shoal cp`, `apply`, `get`, `delete`, `proxy-status` and `proxy-config`, run as real processes
// against a real control plane, with a real xDS client (@shoal/xds) connected to it.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ShoalCpProcess, shoal } from '@shoal/testing';
import { CLUSTER_TYPE_URL, createXdsClient, LISTENER_TYPE_URL, type XdsClient } from '@shoal/xds';
import { reviewsRegistry, reviewsSplit } from './reviews-config.js';

const split = reviewsSplit(80);

describe('shoal cp and the config and proxy verbs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-cp-'));
  let cp: ShoalCpProcess;
  let admin = '';
  let xds = '';
  let client: XdsClient | undefined;

  before(async () => {
    const configDir = join(dir, 'config');
    mkdirSync(configDir);
    writeFileSync(join(configDir, 'reviews.yaml'), reviewsRegistry);
    writeFileSync(join(dir, 'split.yaml'), split);
    // Its data dir is dir/.shoal, the default seen from dir: the admin token is found there.
    cp = await ShoalCpProcess.start(['--config', configDir, '--data-dir', join(dir, '.shoal')], (out) =>
      /config .*: 1 file\(s\), 2 object\(s\)/.test(out),
    );
    ({ xds, admin } = cp);
  });

  after(async () => {
    client?.close();
    await cp.stop();
  });

  it('applies config atomically and reports every error of a bad file', async () => {
    // From the control plane's folder, the token is found in the default data dir.
    const ok = await shoal(['apply', '-f', join(dir, 'split.yaml'), '--admin', admin], { cwd: dir });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /virtualservice\/default\/reviews added/);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      `${split.replace('weight: 20', 'weight: 30')}---\napiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: x}\nspec: {hosts: ["*"]}\n`,
    );
    const rejected = await shoal(['apply', '-f', bad, '--admin', admin, '--data-dir', join(dir, '.shoal')]);
    assert.equal(rejected.code, 1);
    assert.match(rejected.stdout, /apply rejected, nothing changed/);
    assert.match(rejected.stdout, /spec\.http\[0\]\.route/);
    assert.match(rejected.stdout, /hostname cannot be wildcard/);
    const still = await shoal(['get', 'vs', 'reviews', '-o', 'json', '--admin', admin]);
    assert.deepEqual(
      JSON.parse(still.stdout).spec.http[0].route.map((r: { weight: number }) => r.weight),
      [80, 20],
    );
  });

  it('names the documents apply skips', async () => {
    const file = join(dir, 'deployment.yaml');
    writeFileSync(file, 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {}\n');
    const res = await shoal(['apply', '-f', file, '--admin', admin], { cwd: dir });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^skipped Deployment\/default\/web: not an Istio kind that Shoal reads$/m);
  });

  it('lists and deletes objects', async () => {
    const list = await shoal(['get', 'dr', '--admin', admin]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(
      list.stdout,
      /^NAME\s+NAMESPACE\s+KIND\s+HOSTS\s+VERSION\s+SOURCE\nreviews\s+default\s+DestinationRule\s+reviews\.default\.svc\.cluster\.local\s+\d+\s+file reviews\.yaml\n/,
    );
    const missing = await shoal(['delete', 'vs', 'nope', '--admin', admin], {
      env: { ...process.env, SHOAL_DATA_DIR: join(dir, '.shoal') },
    });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /vs "nope" not found/);
    const badKind = await shoal(['get', 'gateways', '--admin', admin]);
    assert.equal(badKind.code, 2);
  });

  it('finds the admin token in SHOAL_ADMIN_TOKEN, and says where it looked when there is none', async () => {
    const token = readFileSync(join(dir, '.shoal', 'admin-token'), 'utf8').trim();
    const env = { ...process.env, SHOAL_DATA_DIR: '' };
    const byEnv = await shoal(['delete', 'dr', 'nope', '--admin', admin], {
      env: { ...env, SHOAL_ADMIN_TOKEN: token },
    });
    assert.match(byEnv.stderr, /dr "nope" not found/);
    const none = await shoal(['delete', 'dr', 'reviews', '--admin', admin], { env, cwd: tmpdir() });
    assert.equal(none.code, 1);
    assert.match(none.stderr, /the admin API refused: writes need the admin token/);
    assert.match(none.stderr, /no admin token found \(looked in .*\.shoal\/admin-token\)/);
    const wrong = await shoal(['apply', '-f', join(dir, 'split.yaml'), '--admin', admin], {
      env: { ...env, SHOAL_ADMIN_TOKEN: 'not-it' },
    });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /the admin token is wrong/);
    // Reads stay open on localhost.
    const read = await shoal(['get', 'dr', '--admin', admin], { env, cwd: tmpdir() });
    assert.equal(read.code, 0, read.stderr);
  });

  it('creates, lists and revokes tokens, and prints the CA root', async () => {
    const opts = { cwd: dir };
    const made = await shoal(
      [
        'token',
        'create',
        '-n',
        'default',
        '--service-account',
        'greeter',
        '--ttl',
        '720h',
        '-o',
        'json',
        '--admin',
        admin,
      ],
      opts,
    );
    assert.equal(made.code, 0, made.stderr);
    const { token } = JSON.parse(made.stdout) as { token: string };
    assert.match(token, /^shoal\.[0-9a-f]{12}\./);
    const plain = await shoal(
      ['token', 'create', '--namespace', 'prod', '--service-account', 'api', '--admin', admin],
      opts,
    );
    assert.match(plain.stdout, /^shoal\.[0-9a-f]{12}\.\S+\n$/);
    const list = await shoal(['token', 'list', '--admin', admin], opts);
    assert.match(list.stdout, /^ID\s+NAMESPACE\s+SERVICE ACCOUNT\s+CREATED\s+EXPIRES\n/);
    assert.match(list.stdout, /default\s+greeter\s+\S+\s+20\d\d-/);
    assert.match(list.stdout, /prod\s+api\s+\S+\s+never/);
    assert.ok(!list.stdout.includes(token.split('.')[2]!), 'list never shows a secret');
    const id = token.split('.')[1]!;
    const revoked = await shoal(['token', 'revoke', id, '--admin', admin], opts);
    assert.equal(revoked.stdout, `token ${id} revoked\n`);
    const again = await shoal(['token', 'revoke', id, '--admin', admin], opts);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /not found/);
    const usage = await shoal(['token', 'create', '-n', 'default', '--admin', admin], opts);
    assert.equal(usage.code, 2);
    const root = await shoal(['ca', 'root', '--admin', admin]);
    assert.equal(root.code, 0, root.stderr);
    assert.match(root.stdout, /^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
    assert.equal(root.stdout, readFileSync(join(dir, '.shoal', 'ca-cert.pem'), 'utf8'));
  });

  it('shows a connected xDS client in proxy-status and what it was sent in proxy-config', async () => {
    client = createXdsClient({
      bootstrap: {
        config: {
          xds_servers: [
            { server_uri: xds, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] },
          ],
          node: { id: 'cli-test-client', locality: { zone: 'zone-a' } },
        },
      },
    });
    const listener = 'reviews.default.svc.cluster.local:9080';
    const cluster = 'outbound|9080|v2|reviews.default.svc.cluster.local';
    const seen = await Promise.all(
      [
        [LISTENER_TYPE_URL, listener],
        [CLUSTER_TYPE_URL, cluster],
      ].map(
        ([type, name]) =>
          new Promise<void>((resolve, reject) =>
            client!.watch(type!, name!, {
              onUpdate: () => resolve(),
              onError: reject,
              onDoesNotExist: () => reject(new Error(`${name} does not exist`)),
            }),
          ),
      ),
    );
    assert.equal(seen.length, 2);
    await client.idle();
    const status = await shoal(['proxy-status', '--admin', admin]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(
      status.stdout,
      /^NAME\s+CDS\s+LDS\s+EDS\s+RDS\s+VERSION\s+PROTOCOL\s+TYPE\s+CLIENT\ncli-test-client\s+SYNCED\s+SYNCED\s+.*\s+PROXYLESS\s+Shoal \d+\.\d+\.\d+$/m,
    );
    const listeners = await shoal(['proxy-config', 'listeners', 'cli-test', '--admin', admin]);
    assert.equal(listeners.code, 0, listeners.stderr);
    assert.match(listeners.stdout, new RegExp(`${listener.replace(/\./g, '\\.')}\\s+CLIENT`));
    const clusters = await shoal([
      'proxy-config',
      'cluster',
      'cli-test-client',
      '-o',
      'json',
      '--admin',
      admin,
    ]);
    assert.equal(JSON.parse(clusters.stdout)[0].name, cluster);
    const table = await shoal(['proxy-config', 'cluster', 'cli-test-client', '--admin', admin]);
    assert.match(
      table.stdout,
      /reviews\.default\.svc\.cluster\.local\s+9080\s+v2\s+OUTBOUND\s+EDS\s+ROUND_ROBIN\s+reviews\.default$/m,
    );
    const unknown = await shoal(['proxy-config', 'bogus', 'cli-test-client', '--admin', admin]);
    assert.equal(unknown.code, 2);
  });

  it('says where to look when no control plane runs', async () => {
    const r = await shoal(['proxy-status', '--admin', '127.0.0.1:1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot reach the control plane's admin API at 127\.0\.0\.1:1/);
  });

  it('stops cleanly on SIGTERM', async () => {
    assert.equal(await cp.stop(), 0, cp.output);
    assert.match(cp.output, /stopped/);
  });
});
