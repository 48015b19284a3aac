import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateConfig } from './analyze.js';
import { locateFields, pathSegments } from './field-positions.js';

const TEXT = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: greeter }
spec:
  host: greeter
  subsets: [{ name: v1, labels: { version: v1 } }]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: greeter
spec:
  hosts: [greeter]
  http:
    - route:
        - destination: { host: greeter, subset: v1 }
          weight: 80
        - destination: { host: greeter, subset: v1 }
          weight: banana
`;

describe('locateFields', () => {
  it('splits field paths', () => {
    assert.deepEqual(pathSegments('spec.http[0].route[1].weight'), ['spec', 'http', 0, 'route', 1, 'weight']);
    assert.deepEqual(pathSegments('metadata.labels[app.kubernetes.io/name]'), [
      'metadata',
      'labels',
      'app.kubernetes.io/name',
    ]);
  });

  it('moves an issue from its document to the line and column of the bad value', () => {
    const report = validateConfig(TEXT, { source: 'input' });
    const weight = report.errors.find((e) => e.path === 'spec.http[0].route[1].weight');
    assert.ok(weight, JSON.stringify(report.errors));
    assert.equal(weight.line, 8, 'validation reports the document start');
    const [located] = locateFields(TEXT, [weight]);
    assert.equal(located?.line, 19);
    assert.equal(located?.column, 19);
  });

  it('points a missing field at the nearest parent that is there', () => {
    const text =
      'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: { name: x }\nspec:\n  subsets: []\n';
    const report = validateConfig(text);
    const host = report.errors.find((e) => e.path === 'spec.host');
    assert.ok(host, JSON.stringify(report.errors));
    const [located] = locateFields(text, [host]);
    assert.equal(located?.line, 5, 'the spec map starts on line 5');
  });

  it('leaves syntax errors and issues without a document line as they are', () => {
    const issue = {
      severity: 'error' as const,
      document: 'document 0',
      path: '',
      message: 'x',
      line: 3,
      column: 2,
    };
    assert.deepEqual(locateFields('a: [', [issue]), [issue]);
  });
});
