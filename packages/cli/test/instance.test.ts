// `shoal instance list|disable|enable` run as real processes against `shoal cp`: the health each
// endpoint is sent with, a disable with a reason that expires on its own, one until enabled, and
// clear errors for what is not an instance.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ShoalCpProcess, shoal } from '@shoal/testing';
import { reviewsRegistry } from './reviews-config.js';

describe('shoal instance', () => {
  let cp: ShoalCpProcess;
  const run = (...args: string[]) =>
    shoal([...args, '--admin', cp.admin], { env: { ...process.env, SHOAL_DATA_DIR: cp.dataDir } });
  /** Read from the admin API directly: a CLI process takes about a second to start here. */
  const healthOf = async () => {
    const list = (await (await fetch(`http://${cp.admin}/api/instances`)).json()) as {
      items: { address: string; health: string }[];
    };
    return Object.fromEntries(list.items.map((i) => [i.address, i.health]));
  };

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-instance-'));
    mkdirSync(join(dir, 'config'));
    writeFileSync(join(dir, 'config', 'reviews.yaml'), reviewsRegistry);
    cp = await ShoalCpProcess.start(['--config', join(dir, 'config')], (out) => /2 object\(s\)/.test(out));
  });
  after(() => cp.stop());

  it('lists every instance with its health, for one service or all', async () => {
    const r = await run('instance', 'list', '--service', 'reviews');
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^SERVICE\s+ADDRESS\s+HEALTH\s+LABELS\s+LOCALITY\s+ORIGIN\s+NOTE\nreviews\.default\.svc\.cluster\.local\s+127\.0\.0\.1:50071\s+HEALTHY\s+version=v1\s+-\s+ServiceEntry\/default\/reviews/,
    );
    assert.equal((await run('instance', 'list', '--service', 'ratings')).stdout.trim(), 'no instances');
  });

  it('disables an instance for a while with a reason; it comes back on its own', async () => {
    const r = await run('instance', 'disable', '127.0.0.1:50071', '--for', '3s', '--reason', 'bad disk');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^127\.0\.0\.1:50071 disabled until \d{4}-\d\d-\d\dT/);
    assert.match(r.stdout, /127\.0\.0\.1:50071\s+UNHEALTHY\s+version=v1.*"bad disk" until /);
    const until = Date.parse(/until (\S+)/.exec(r.stdout)![1]!);
    if (Date.now() < until - 200) assert.equal((await healthOf())['127.0.0.1:50071'], 'UNHEALTHY');
    for (let i = 0; i < 100 && (await healthOf())['127.0.0.1:50071'] !== 'HEALTHY'; i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(Date.now() >= until, 'not back before its time');
    assert.deepEqual(await healthOf(), { '127.0.0.1:50071': 'HEALTHY', '127.0.0.1:50072': 'HEALTHY' });
  });

  it('disables until enabled', async () => {
    const off = await run('instance', 'disable', '127.0.0.1:50072');
    assert.match(off.stdout, /^127\.0\.0\.1:50072 disabled until enabled/);
    assert.equal((await healthOf())['127.0.0.1:50072'], 'UNHEALTHY');
    const on = await run('instance', 'enable', '127.0.0.1:50072');
    assert.equal(on.code, 0, on.stderr);
    assert.match(on.stdout, /^127\.0\.0\.1:50072 enabled\n.*\n.*127\.0\.0\.1:50072\s+HEALTHY/);
  });

  it('says what is wrong with an address, a duration, or an instance that is not disabled', async () => {
    const unknown = await run('instance', 'disable', '10.9.9.9:9080');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no instance at 10\.9\.9\.9:9080: see `shoal instance list`/);
    const notAddress = await run('instance', 'disable', 'reviews');
    assert.equal(notAddress.code, 1);
    assert.match(notAddress.stderr, /"reviews" is not an instance address: use IP:PORT/);
    const badFor = await run('instance', 'disable', '127.0.0.1:50071', '--for', 'soon');
    assert.equal(badFor.code, 2);
    assert.match(badFor.stderr, /--for "soon" is not a duration/);
    const notDisabled = await run('instance', 'enable', '127.0.0.1:50071');
    assert.equal(notDisabled.code, 1);
    assert.match(notDisabled.stderr, /127\.0\.0\.1:50071 is not disabled/);
  });
});
