// Istio's own test data (../shared/testdata/istio): every `_err` document is rejected with Istio's
// message, and every valid file is accepted.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigValidator } from './config-validator.js';
import { formatIssue } from './issues.js';
import { loadConfigText } from './load-config.js';
import { parseDocuments } from './parse-documents.js';

const dir = resolve(import.meta.dirname, '../../../../../../shared/testdata/istio');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
const invalidFiles = files.filter((f) => f.endsWith('-invalid.yaml'));
const validFiles = files.filter((f) => !f.endsWith('-invalid.yaml'));
const shared = new ConfigValidator();

describe('Istio invalid test data', () => {
  it('finds the invalid files', () => assert.ok(invalidFiles.length >= 2));
  for (const file of invalidFiles) {
    const parsed = parseDocuments(readFileSync(join(dir, file), 'utf8'), file);
    it(`${file} parses`, () => {
      assert.deepEqual(parsed.issues, []);
      assert.ok(parsed.documents.length > 0);
    });
    const validator = shared;
    for (const doc of parsed.documents) {
      const value = doc.value as Record<string, unknown> & { metadata?: { name?: string } };
      const expected = value._err;
      it(`${file}: ${value.metadata?.name} is rejected with "${expected}"`, () => {
        assert.equal(typeof expected, 'string', 'every document carries _err');
        delete value._err;
        const result = validator.validate(value, { index: doc.index, source: file });
        assert.equal(result.object, undefined, 'the document must be rejected');
        const messages = result.issues.filter((i) => i.severity === 'error').map(formatIssue);
        assert.ok(
          messages.some((m) => m.includes(expected as string)),
          `expected an error containing ${JSON.stringify(expected)}, got:\n${messages.join('\n')}`,
        );
      });
    }
  }
});

describe('Istio valid test data', () => {
  it('finds the valid files', () => assert.ok(validFiles.length >= 12));
  for (const file of validFiles) {
    it(`${file} is accepted`, () => {
      const loaded = loadConfigText(readFileSync(join(dir, file), 'utf8'), {
        source: file,
        validator: shared,
      });
      assert.deepEqual(loaded.errors.map(formatIssue), []);
      assert.ok(loaded.objects.length > 0, 'at least one object is read');
      for (const o of loaded.objects) {
        assert.ok(o.metadata.name);
        assert.ok(o.metadata.namespace);
      }
    });
  }

  it('reads Kubernetes Services and skips Deployments and ServiceAccounts', () => {
    const file = 'samples-bookinfo-platform-kube-bookinfo.yaml';
    const loaded = loadConfigText(readFileSync(join(dir, file), 'utf8'), { source: file, validator: shared });
    assert.deepEqual(
      loaded.objects.map((o) => `${o.kind}/${o.metadata.name}`),
      ['Service/details', 'Service/ratings', 'Service/reviews', 'Service/productpage'],
    );
    assert.ok(loaded.skipped.some((s) => s.kind === 'Deployment' && s.name === 'reviews-v2'));
    assert.ok(loaded.skipped.some((s) => s.kind === 'ServiceAccount'));
    assert.deepEqual(loaded.warnings, []);
  });

  it('keeps the 80/20 weights and the namespace default', () => {
    const file = 'samples-bookinfo-networking-virtual-service-reviews-80-20.yaml';
    const [vs] = loadConfigText(readFileSync(join(dir, file), 'utf8'), { validator: shared }).objects;
    assert.equal(vs?.kind, 'VirtualService');
    assert.equal(vs?.metadata.namespace, 'default');
    if (vs?.kind !== 'VirtualService') return;
    assert.deepEqual(
      vs.spec.http?.[0]?.route?.map((r) => [r.destination.subset, r.weight]),
      [
        ['v1', 80],
        ['v2', 20],
      ],
    );
  });
});
