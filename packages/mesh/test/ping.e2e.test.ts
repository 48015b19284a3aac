import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MeshHarness, tally, waitFor } from './mesh-harness.js';

describe('e2e: providers register themselves, a consumer reaches them through Shoal’s control plane', () => {
  let mesh: MeshHarness;
  before(async () => {
    mesh = await MeshHarness.start();
    await mesh.provider('p1', { ip: '127.0.0.2' });
    await mesh.provider('p2', { ip: '127.0.0.3' });
  });
  after(() => mesh.stop());

  it('round-robins over both registered instances', async () => {
    const c = mesh.consumer();
    await waitFor(async () => Object.keys(await tally(c, 4)).length === 2, 'both endpoints');
    const counts = await tally(c, 20);
    assert.deepEqual(counts, { p1: 10, p2: 10 });
  });
});

describe('e2e: interface-level discovery', () => {
  let mesh: MeshHarness;
  before(async () => {
    mesh = await MeshHarness.start();
    await mesh.provider('p1', { ip: '127.0.0.2' });
  });
  after(() => mesh.stop());

  it('dials an interface name, never a host or port', async () => {
    const c = mesh.consumer({ target: 'shoal.meshtest.v1.Greeter' });
    await waitFor(async () => (await tally(c, 1)).p1 === 1, 'the interface listener');
    assert.match(
      c.decisions.at(-1)?.cluster ?? '',
      /^outbound\|\d+\|\|greeter\.default\.svc\.cluster\.local$/,
    );
  });
});
