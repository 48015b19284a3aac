// Points validation issues at their field: the line and column, in the text that was validated, of
// the value at the issue's path (`spec.http[0].route[1].weight`), or of the nearest parent that is
// there when the field is missing. Editors show the error at the field, as Kubernetes' and
// Istio's IDE schemas do.

import { isMap, isSeq, LineCounter, type Node, parseAllDocuments } from 'yaml';
import type { ConfigIssue } from './issues.js';

/** `spec.http[0].route[1].weight` → ['spec', 'http', 0, 'route', 1, 'weight']. */
export function pathSegments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[([^\]]*)\]/g)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(/^\d+$/.test(m[2]) ? Number(m[2]) : m[2]);
  }
  return out;
}

/** The issues with `line`/`column` moved to their field where it is found in `text`. */
export function locateFields(text: string, issues: readonly ConfigIssue[]): ConfigIssue[] {
  if (!issues.some((i) => i.path && i.line)) return [...issues];
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter });
  if (!Array.isArray(docs)) return [...issues];
  // Every object a document may hold: the document itself, or the items of an array or a List.
  const objects: Node[] = [];
  for (const doc of docs) {
    const root = doc.contents;
    const items = isMap(root) ? root.get('items', true) : undefined;
    if (isSeq(root)) objects.push(...(root.items as Node[]));
    else if (isSeq(items)) objects.push(...(items.items as Node[]));
    else if (root) objects.push(root as Node);
  }
  const startLine = (n: Node) => (n.range ? lineCounter.linePos(n.range[0]).line : -1);
  return issues.map((issue) => {
    if (!issue.path || !issue.line) return issue;
    const object = objects.find((o) => startLine(o) === issue.line);
    if (!object) return issue;
    let node: Node = object;
    for (const segment of pathSegments(issue.path)) {
      if (!isMap(node) && !isSeq(node)) break;
      const next = node.get(segment, true) as Node | undefined;
      if (!next?.range) break;
      node = next;
    }
    if (!node.range) return issue;
    const pos = lineCounter.linePos(node.range[0]);
    return { ...issue, line: pos.line, column: pos.col };
  });
}
