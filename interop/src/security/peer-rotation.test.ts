// Rotation with a peer nobody here wrote: a grpc-js-xds client on `shoal agent`'s files and a
// Shoal server, both with 6-second certificates, under PeerAuthentication STRICT, keep calling
// for 10 s (a new channel every 20 calls, so new connections use the new certificates) and lose
// no call.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SecureMesh } from './secure-mesh.js';

describe('certificate rotation under load with grpc-js-xds', () => {
  let mesh: SecureMesh;
  before(async () => {
    mesh = await SecureMesh.start();
  });
  after(() => mesh.stop());

  it('certificates of a few seconds rotate under load without a failed call (grpc-js-xds client, Shoal server)', async () => {
    const short = await mesh.shoalServer('rotating', 'rotating', 6);
    const agent = await mesh.agent('frontend', '6s');
    const client = mesh.peer('client', agent.bootstrap);
    const rotatingTarget = `xds:///rotating.default.svc.cluster.local:${short.port}`;
    // Warm up (the first channel learns the routes), then 10 s of calls, a new channel every 20.
    await client.calls(rotatingTarget, 5);
    const started = Date.now();
    let calls = 0;
    let failures = 0;
    const codes: Record<string, number> = {};
    let firstError: string | undefined;
    while (Date.now() - started < 10_000) {
      const r = await client.calls(rotatingTarget, 100, true);
      calls += r.counts['shoal-rotating'] ?? 0;
      failures += r.failures;
      for (const [k, v] of Object.entries(r.codes)) codes[k] = (codes[k] ?? 0) + v;
      firstError ??= r.firstError;
    }
    assert.equal(failures, 0, `${JSON.stringify(codes)} ${firstError}\n${client.output}\n${agent.output()}`);
    assert.ok(calls >= 200, `${calls} calls`);
    assert.match(agent.output(), /renewed: .*renewed: /s);
    assert.ok(short.peerSerials.size >= 3, `client certificates seen: ${short.peerSerials.size}`);
  });
});
