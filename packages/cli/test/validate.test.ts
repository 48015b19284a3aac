// `shoal validate` on Istio's own files: valid samples pass, every `_err` document fails with
// Istio's message, cross-object problems are errors, unknown hosts are warnings.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { shoal } from './run-shoal.js';

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
    const r = await shoal(['validate', '-f', dir, '-o', 'json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.valid, true);
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
    const r = await shoal(['validate', '-f', '-'], { input: vs });
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /spec\.http\[0\]\.route\[0\]\.destination\.subset: Referenced host\+subset in destinationrule not found: "a\+nope"/,
    );
    const broken = await shoal(['validate', '-f', '-'], { input: 'a: [b\n' });
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, /stdin:2: .*YAML syntax error at line 2/);
    const missing = await shoal(['validate', '-f', '/no/such/file.yaml']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read \/no\/such\/file\.yaml: ENOENT/);
  });
});
