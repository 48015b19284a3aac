// Internal, for tests only: what the rule specs share. Each validates YAML documents with one
// ConfigValidator and checks that every bad document is rejected with the expected message.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ConfigValidator } from '../src/config/config-validator.js';
import { formatIssue } from '../src/config/issues.js';
import { loadConfigText } from '../src/config/load-config.js';

/** [what, document, expected error text] */
export type RejectCase = [what: string, doc: string, expected: string];

/** Shared by the rule specs: it caches compiled schemas and keeps nothing of a document. */
export const validator = new ConfigValidator();

export function errorsOf(yaml: string): string[] {
  return loadConfigText(yaml, { validator }).errors.map(formatIssue);
}

export function warningsOf(yaml: string): string[] {
  return loadConfigText(yaml, { validator }).warnings.map(formatIssue);
}

/** One spec per case, in the enclosing suite: the document's errors include the expected text. */
export function itRejects(cases: readonly RejectCase[]): void {
  for (const [what, doc, expected] of cases) {
    it(`rejects: ${what}`, () => {
      const errors = errorsOf(doc);
      assert.ok(
        errors.some((e) => e.includes(expected)),
        `expected ${JSON.stringify(expected)} in:\n${errors.join('\n')}`,
      );
    });
  }
}
