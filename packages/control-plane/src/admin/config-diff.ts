// Config changes as a reviewer reads them: each object before and after as YAML, and a unified
// diff of the two (jsdiff's createTwoFilesPatch, the format of `diff -u` and `kubectl diff`).

import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import { userFields } from '../config/config-history.js';
import type { AnyConfigObject } from '../config/config-object.js';
import type { ConfigChange } from '../config/config-store.js';

/**
 * One object's change between two config versions, with a unified diff of its YAML (apply previews, history).
 */
export interface ObjectDiff {
  type: ConfigChange['type'];
  kind: string;
  namespace: string;
  name: string;
  /** The object before the change as YAML; absent when it was added. */
  before?: string;
  /** The object after the change as YAML; absent when it was deleted. */
  after?: string;
  /** Unified diff from before to after. */
  patch: string;
}

export function objectYaml(o: AnyConfigObject): string {
  return stringify(userFields(o));
}

export function changeDiff(change: ConfigChange): ObjectDiff {
  const before = change.previous ? objectYaml(change.previous) : undefined;
  const after = change.object ? objectYaml(change.object) : undefined;
  const name = `${change.kind}/${change.namespace}/${change.name}`;
  return {
    type: change.type,
    kind: change.kind,
    namespace: change.namespace,
    name: change.name,
    ...(before !== undefined ? { before } : {}),
    ...(after !== undefined ? { after } : {}),
    patch: createTwoFilesPatch(name, name, before ?? '', after ?? '', 'before', 'after', { context: 3 }),
  };
}

/** A change's identity only, as lists and events carry it. */
export function changeSummary({ type, kind, namespace, name }: ConfigChange) {
  return { type, kind, namespace, name };
}
