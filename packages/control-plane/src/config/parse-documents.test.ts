import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIssue } from './issues.js';
import { parseDocuments } from './parse-documents.js';

describe('parseDocuments', () => {
  it('splits multi-document YAML, skipping empty documents, with start lines', () => {
    const parsed = parseDocuments('# header\n---\na: 1\n---\n# only a comment\n---\nb: 2\n', 'f.yaml');
    assert.deepEqual(parsed.issues, []);
    assert.deepEqual(parsed.documents, [
      { index: 0, line: 3, value: { a: 1 } },
      { index: 1, line: 7, value: { b: 2 } },
    ]);
  });

  it('reads a JSON object, a JSON array and a Kubernetes List', () => {
    assert.deepEqual(
      parseDocuments('{"a": 1}').documents.map((d) => d.value),
      [{ a: 1 }],
    );
    assert.deepEqual(
      parseDocuments('[{"a": 1}, {"b": 2}]').documents.map((d) => [d.index, d.value]),
      [
        [0, { a: 1 }],
        [1, { b: 2 }],
      ],
    );
    const list = parseDocuments('apiVersion: v1\nkind: List\nitems:\n- a: 1\n- b: 2\n');
    assert.deepEqual(list.documents, [
      { index: 0, line: 4, value: { a: 1 } },
      { index: 1, line: 5, value: { b: 2 } },
    ]);
  });

  it('reads JSON indented with tabs', () => {
    assert.deepEqual(parseDocuments('{\n\t"a": {\n\t\t"b": 1\n\t}\n}').documents[0]?.value, { a: { b: 1 } });
  });

  it('reports syntax errors with document index and line:col, and keeps the good documents', () => {
    const parsed = parseDocuments('a: 1\n---\nb: [1, 2\nc: 3\n', 'bad.yaml');
    assert.equal(parsed.documents.length, 1);
    assert.equal(parsed.issues.length > 0, true);
    const first = parsed.issues[0]!;
    assert.equal(first.document, 'document 1');
    assert.equal(first.source, 'bad.yaml');
    assert.ok(first.line && first.line >= 3, formatIssue(first));
    assert.match(formatIssue(first), /^bad\.yaml:\d+: document 1: YAML syntax error at line \d+:\d+: /);
  });

  it('rejects duplicate keys', () => {
    const parsed = parseDocuments('a: 1\na: 2\n');
    assert.match(parsed.issues[0]?.message ?? '', /YAML syntax error at line 2:1: Map keys must be unique/);
  });
});
