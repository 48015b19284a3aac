// Splits config text into documents: multi-document YAML (`---`), or JSON holding one object, an
// array of objects, or a Kubernetes `List` with `items`. Syntax errors name the document and line:col.
// Kubernetes: kubectl's manifest reader (YAML/JSON, v1 List).

import { isMap, isSeq, LineCounter, parseAllDocuments, type Node as YamlNode } from 'yaml';
import type { ConfigIssue } from './issues.js';

export interface RawDocument {
  /** 0-based position among the objects found in the text (List items and array elements count one each). */
  index: number;
  /** 1-based line where the object starts, when known. */
  line?: number;
  value: unknown;
}

export interface ParsedText {
  documents: RawDocument[];
  /** Syntax errors; when there are any, `documents` holds only the documents that parsed. */
  issues: ConfigIssue[];
}

export function parseDocuments(text: string, source?: string): ParsedText {
  const lineCounter = new LineCounter();
  const yamlDocs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const docs = Array.isArray(yamlDocs) ? yamlDocs : [];
  const documents: RawDocument[] = [];
  const issues: ConfigIssue[] = [];
  const lineOf = (node: unknown): number | undefined => {
    const range = (node as YamlNode | null)?.range;
    return range ? lineCounter.linePos(range[0]).line : undefined;
  };
  const src = source ? { source } : {};

  docs.forEach((doc, docIndex) => {
    if (doc.errors.length > 0) {
      // JSON that YAML cannot read (rare: e.g. tabs used for indentation) still parses as JSON.
      const json = docs.length === 1 ? tryJson(text) : undefined;
      if (json !== undefined) {
        pushValue(json, undefined, undefined);
        return;
      }
      for (const err of doc.errors) {
        const pos = err.linePos?.[0];
        const where = pos ? ` at line ${pos.line}:${pos.col}` : '';
        issues.push({
          severity: 'error',
          document: `document ${docIndex}`,
          path: '',
          message: `YAML syntax error${where}: ${(err.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`,
          ...src,
          ...(pos ? { line: pos.line, column: pos.col } : {}),
        });
      }
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      issues.push({
        severity: 'error',
        document: `document ${docIndex}`,
        path: '',
        message: `YAML error: ${(err as Error).message}`,
        ...src,
      });
      return;
    }
    if (value === null || value === undefined) return; // an empty document (comments only, or a stray `---`)
    pushValue(value, doc.contents, lineOf(doc.contents));
  });
  return { documents, issues };

  function pushValue(value: unknown, node: unknown, line: number | undefined): void {
    if (Array.isArray(value)) {
      const items = isSeq(node) ? node.items : [];
      value.forEach((item, i) => {
        pushValue(item, items[i], lineOf(items[i]) ?? line);
      });
      return;
    }
    if (isList(value)) {
      const itemsNode = isMap(node) ? node.get('items', true) : undefined;
      const items = isSeq(itemsNode) ? itemsNode.items : [];
      value.items.forEach((item, i) => {
        pushValue(item, items[i], lineOf(items[i]) ?? line);
      });
      return;
    }
    documents.push({ index: documents.length, value, ...(line ? { line } : {}) });
  }
}

function isList(value: unknown): value is { items: unknown[] } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { kind?: unknown; items?: unknown };
  return typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items);
}

function tryJson(text: string): unknown {
  const t = text.trimStart();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
