// `shoal validate` on Istio's own files: valid samples pass, every `_err` document fails with
// Istio's message, cross-object problems are errors, unknown hosts are warnings, a typo in a kind
// is an error; and with a running `shoal cp` (the demo's config), the README tour's fault.yaml is
// valid because it is checked together with the live DestinationRule.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ShoalCpProcess, shoal } from '@shoal/testing';

const testdata = new URL('../../../../../shared/testdata/istio/', import.meta.url).pathname;

describe('shoal validate', () => {
  it('accepts the Bookinfo rules, warning about hosts with no service yet', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-validate-'));
    for (const name of ['destination-rule-all.yaml', 'virtual-service-reviews-80-20.yaml']) {
      writeFileSync(
        join(dir, name),
        readFileSync(join(testdata, `samples-bookinfo-networking-${name}`), 'utf8'),
      );
    }
    const r = await shoal(['validate', '-f', dir, '--offline', '-o', 'json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.valid, true);
    assert.deepEqual(report.against, { mode: 'offline', reason: '--offline' });
    assert.equal(report.objects, 5);
    assert.ok(
      report.warnings.some((w: { message: string }) =>
        /Referenced host not found: "reviews"/.test(w.message),
      ),
    );
  });

  it("rejects Istio's invalid documents with Istio's field paths", async () => {
    const r = await shoal([
      'validate',
      '--offline',
      '-f',
      join(testdata, 'pkg-config-validation-testdata-crds-destinationrule-invalid.yaml'),
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /spec\.trafficPolicy\.loadBalancer\.warmup\.minimumPercent: Invalid value/);
    assert.match(r.stdout, /spec\.trafficPolicy\.loadBalancer\.warmup\.duration: Required value/);
  });

  it('reports a subset that no DestinationRule defines, and YAML syntax errors with their line', async () => {
    const vs =
      'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: x}\nspec:\n  hosts: [a]\n  http:\n  - route:\n    - destination: {host: a, subset: nope}\n';
    const r = await shoal(['validate', '--offline', '-f', '-'], { input: vs });
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /spec\.http\[0\]\.route\[0\]\.destination\.subset: Referenced host\+subset in destinationrule not found: "a\+nope"/,
    );
    const broken = await shoal(['validate', '--offline', '-f', '-'], { input: 'a: [b\n' });
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, /stdin:2: .*YAML syntax error at line 2/);
    const missing = await shoal(['validate', '--offline', '-f', '/no/such/file.yaml']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read \/no\/such\/file\.yaml: ENOENT/);
  });

  it('rejects a typo in an Istio kind, naming the kinds of its group', async () => {
    const r = await shoal(['validate', '--offline', '-f', '-'], {
      input: 'apiVersion: networking.istio.io/v1\nkind: VirtualHighway\nmetadata: {name: x}\nspec: {}\n',
    });
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /VirtualHighway\/default\/x: kind: Unsupported value: "VirtualHighway": networking\.istio\.io has the kinds "DestinationRule", .*"VirtualService"/,
    );
  });

  it('checks the file alone when no control plane answers, and fails when one named with --admin does not', async () => {
    const vs =
      'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: x}\nspec:\n  hosts: [a]\n  http:\n  - route:\n    - destination: {host: a}\n';
    // SHOAL_ADMIN stands in for the default address; port 1 has no control plane.
    const fallback = await shoal(['validate', '-f', '-'], {
      input: vs,
      env: { ...process.env, SHOAL_ADMIN: '127.0.0.1:1' },
    });
    assert.equal(fallback.code, 0, fallback.stderr);
    assert.match(
      fallback.stdout,
      /^Validated offline, the file\(s\) alone \(no control plane answered at 127\.0\.0\.1:1: cannot reach/,
    );
    const named = await shoal(['validate', '-f', '-', '--admin', '127.0.0.1:1'], { input: vs });
    assert.equal(named.code, 1);
    assert.match(named.stderr, /cannot reach the control plane's admin API at 127\.0\.0\.1:1/);
    const both = await shoal(['validate', '-f', '-', '--offline', '--admin', '127.0.0.1:1'], { input: vs });
    assert.equal(both.code, 2);
  });
});

describe('shoal validate with the running control plane (the README tour)', () => {
  const demo = new URL('../../../../packages/demo/', import.meta.url).pathname;
  let cp: ShoalCpProcess;

  before(async () => {
    cp = await ShoalCpProcess.start(['--config', join(demo, 'config')], (out) =>
      /config .*object\(s\)/.test(out),
    );
  });
  after(() => cp.stop());

  it('passes packages/demo/tour/fault.yaml with the demo config, and says so; offline it cannot', async () => {
    const fault = join(demo, 'tour', 'fault.yaml');
    const live = await shoal(['validate', '-f', fault, '--admin', cp.admin]);
    assert.equal(live.code, 0, live.stdout + live.stderr);
    assert.match(
      live.stdout,
      new RegExp(
        `^Validated with the running control plane at ${cp.admin.replaceAll('.', '\\.')} \\(config version \\d+: 2 object\\(s\\); 0 service\\(s\\) in its registry\\)`,
      ),
    );
    assert.match(live.stdout, /✔ 1 object\(s\) valid/);
    const offline = await shoal(['validate', '-f', fault, '--offline']);
    assert.equal(offline.code, 1);
    assert.match(offline.stdout, /no DestinationRule for host greeter\.default\.svc\.cluster\.local/);
  });

  it("reports what a file would break in the live config: a DestinationRule without the route's subset", async () => {
    const dr =
      'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: greeter}\nspec:\n  host: greeter\n  subsets: [{name: v2, labels: {version: v2}}]\n';
    const r = await shoal(['validate', '-f', '-', '--admin', cp.admin, '-o', 'json'], { input: dr });
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout);
    assert.equal(report.against.mode, 'control-plane');
    assert.deepEqual(
      report.errors.map((e: { document: string; path: string }) => `${e.document} ${e.path}`),
      ['VirtualService/default/greeter spec.http[0].route[0].destination.subset'],
    );
  });
});
