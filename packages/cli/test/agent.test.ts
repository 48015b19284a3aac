// `shoal agent` against a real `shoal cp`: it writes the certificates and a grpc-agent style
// bootstrap, renews before expiry, and refuses a token for another identity; `shoal proxy-config
// secret` then shows the certificate of a client using that bootstrap (whose xDS connection is
// mTLS with the agent's files).

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { shoal, spawnShoal } from '@shoal/testing';
import { CLUSTER_TYPE_URL, createXdsClient, type XdsClient } from '@shoal/xds';

/** Spawns `shoal ARGS` and resolves once its output matches `ready`. */
function start(
  args: string[],
  ready: RegExp,
  cwd: string,
): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawnShoal(args, { cwd });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${ready} in: ${out}`)), 20_000);
    child.stdout!.on('data', () => {
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve({ child, output: () => out });
      }
    });
    child.once('exit', (code) => reject(new Error(`shoal ${args[0]} exited ${code}: ${out}`)));
  });
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

describe('shoal agent', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-agent-'));
  let cp: ChildProcess | undefined;
  let agent: ChildProcess | undefined;
  let client: XdsClient | undefined;
  let admin = '';
  let xds = '';

  before(async () => {
    const started = await start(['cp', '--xds-port', '0', '--admin-port', '0'], /CA: /, dir);
    cp = started.child;
    const m = /xDS \(ADS\) on ([\d.]+:\d+), admin API on http:\/\/([\d.]+:\d+)/.exec(started.output())!;
    xds = m[1]!;
    admin = m[2]!;
    const root = await shoal(['ca', 'root', '--admin', admin], { cwd: dir });
    writeFileSync(join(dir, 'root.pem'), root.stdout);
  });
  after(async () => {
    await client?.close();
    await stop(agent);
    await stop(cp);
  });

  const token = async (sa: string) => {
    const r = await shoal(
      ['token', 'create', '-n', 'default', '--service-account', sa, '-o', 'json', '--admin', admin],
      { cwd: dir },
    );
    const file = join(dir, `${sa}.token`);
    writeFileSync(file, JSON.parse(r.stdout).token);
    return file;
  };

  it('writes certificates and a grpc-agent bootstrap, and renews them', async () => {
    const certs = join(dir, 'certs');
    const bootstrapFile = join(dir, 'bootstrap.json');
    const started = await start(
      [
        'agent',
        '--identity',
        'default/greeter',
        '--token-file',
        await token('greeter'),
        '--bootstrap-out',
        bootstrapFile,
        '--cert-dir',
        certs,
        '--xds-address',
        xds,
        '--labels',
        'app=greeter,version=v1',
        '--root-cert',
        join(dir, 'root.pem'),
        '--name',
        'vm-1',
        '--cert-lifetime',
        '4s',
      ],
      /wrote .*bootstrap\.json; certificates in/,
      dir,
    );
    agent = started.child;
    const leaf = new X509Certificate(readFileSync(join(certs, 'cert-chain.pem')));
    assert.equal(leaf.subjectAltName, 'URI:spiffe://cluster.local/ns/default/sa/greeter');
    assert.ok(leaf.verify(new X509Certificate(readFileSync(join(certs, 'root-cert.pem'))).publicKey));
    assert.equal(statSync(join(certs, 'key.pem')).mode & 0o777, 0o600);
    const key = readFileSync(join(certs, 'key.pem'), 'utf8');
    const bootstrap = JSON.parse(readFileSync(bootstrapFile, 'utf8'));
    assert.equal(bootstrap.node.id, 'sidecar~127.0.0.1~vm-1.default~default.svc.cluster.local');
    assert.deepEqual(bootstrap.node.metadata.LABELS, { app: 'greeter', version: 'v1' });
    assert.equal(bootstrap.node.metadata.NAMESPACE, 'default');
    assert.equal(bootstrap.node.metadata.SERVICE_ACCOUNT, 'greeter');
    assert.deepEqual(bootstrap.certificate_providers.default, {
      plugin_name: 'file_watcher',
      config: {
        certificate_file: join(certs, 'cert-chain.pem'),
        private_key_file: join(certs, 'key.pem'),
        ca_certificate_file: join(certs, 'root-cert.pem'),
        refresh_interval: '1s',
      },
    });
    // Renewed at half of its 4 s.
    const until = Date.now() + 8000;
    while (!/renewed: /.test(started.output()) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 100));
    assert.match(started.output(), /renewed: spiffe:\/\/cluster\.local\/ns\/default\/sa\/greeter, serial/);
    const renewed = new X509Certificate(readFileSync(join(certs, 'cert-chain.pem')));
    assert.notEqual(renewed.serialNumber, leaf.serialNumber);
    // The key is kept over renewals (--key-lifetime 24h), and the new pair was swapped in as one
    // generation behind the ..data link.
    assert.equal(readFileSync(join(certs, 'key.pem'), 'utf8'), key);
    assert.equal(readlinkSync(join(certs, 'cert-chain.pem')), join('..data', 'cert-chain.pem'));

    // A client with this bootstrap: its xDS connection is mTLS with the agent's files.
    client = createXdsClient({ bootstrap: { config: bootstrap } });
    client.watch(CLUSTER_TYPE_URL, 'outbound|1||none.default.svc.cluster.local', {
      onUpdate: () => {},
      onError: () => {},
      onDoesNotExist: () => {},
    });
    let secret = '';
    for (let i = 0; i < 50 && !/mTLS as/.test(secret); i++) {
      await new Promise((r) => setTimeout(r, 100));
      secret = (await shoal(['proxy-config', 'secret', 'vm-1', '--admin', admin], { cwd: dir })).stdout;
    }
    assert.match(
      secret,
      /^RESOURCE NAME\s+TYPE\s+IDENTITY\s+STATUS\s+VALID CERT\s+SERIAL NUMBER\s+NOT AFTER\s+NOT BEFORE\n/,
    );
    assert.match(
      secret,
      /default\s+Cert Chain\s+spiffe:\/\/cluster\.local\/ns\/default\/sa\/greeter\s+ACTIVE\s+true\s+[0-9a-f]+\s+20/,
    );
    assert.match(secret, /ROOTCA\s+CA\s+O=cluster\.local\s+ACTIVE\s+true/);
    assert.match(secret, /xDS connection: mTLS as spiffe:\/\/cluster\.local\/ns\/default\/sa\/greeter/);
  });

  it('refuses a token for another identity', async () => {
    const r = await shoal(
      [
        'agent',
        '--identity',
        'default/reviews',
        '--token-file',
        await token('greeter'),
        '--bootstrap-out',
        join(dir, 'other.json'),
        '--cert-dir',
        join(dir, 'other'),
        '--xds-address',
        xds,
      ],
      { cwd: dir },
    );
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /the token is for spiffe:\/\/cluster\.local\/ns\/default\/sa\/greeter, not default\/reviews/,
    );
    const usage = await shoal(
      ['agent', '--identity', 'nobody', '--token-file', 'x', '--bootstrap-out', 'y', '--cert-dir', 'z'],
      { cwd: dir },
    );
    assert.equal(usage.code, 2);
  });
});
