// Validation issues with Kubernetes-style field paths (`spec.http[0].route[1].weight`), as Istio's
// validating webhook and CRD schema report them (Istio: pkg/config/validation; Kubernetes: field.Error).

/** How bad an issue is: an error rejects the object, a warning only tells. */
export type Severity = 'error' | 'warning';

/** One problem found in one document. `document` names it (kind/namespace/name, or its index). */
export interface ConfigIssue {
  severity: Severity;
  /** `Kind/namespace/name`, or `document N` when the document has no usable identity. */
  document: string;
  /** Field path inside the document, e.g. `spec.hosts[0]`; empty for the document as a whole. */
  path: string;
  message: string;
  /** File name or other origin, when known. */
  source?: string;
  /** 1-based line of the document (or of the syntax error) in its source, when known. */
  line?: number;
  column?: number;
}

/** Renders an issue as one line: `source:line: document: path: message`. */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.source ? `${issue.source}${issue.line ? `:${issue.line}` : ''}: ` : '';
  const path = issue.path ? `${issue.path}: ` : '';
  return `${where}${issue.document}: ${path}${issue.message}`;
}

/** Appends a property or index to a field path. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (!/^[A-Za-z_$][\w$]*$/.test(key)) return `${base}[${key}]`;
  return base ? `${base}.${key}` : key;
}

/** Quotes a value the way Kubernetes prints it after `Invalid value:`. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'null';
  return JSON.stringify(value) ?? String(value);
}

/**
 * Collects issues for one document. Rule code calls `invalid`, `required`, `warn` with a path;
 * the collector fills in the document name afterwards.
 */
export class IssueCollector {
  readonly issues: { severity: Severity; path: string; message: string }[] = [];

  /** `path: Invalid value: <value>: detail` (Kubernetes field.Invalid). */
  invalid(path: string, value: unknown, detail: string): void {
    this.issues.push({ severity: 'error', path, message: `Invalid value: ${showValue(value)}: ${detail}` });
  }

  /** `path: Required value` (Kubernetes field.Required), with an optional detail. */
  required(path: string, detail?: string): void {
    this.issues.push({
      severity: 'error',
      path,
      message: detail ? `Required value: ${detail}` : 'Required value',
    });
  }

  /** `path: Duplicate value: <value>` (Kubernetes field.Duplicate). */
  duplicate(path: string, value: unknown, detail?: string): void {
    const msg = `Duplicate value: ${showValue(value)}`;
    this.issues.push({ severity: 'error', path, message: detail ? `${msg}: ${detail}` : msg });
  }

  /** A rule error that has no single offending value (`only one of ... can be set`). */
  error(path: string, message: string): void {
    this.issues.push({ severity: 'error', path, message });
  }

  warn(path: string, message: string): void {
    this.issues.push({ severity: 'warning', path, message });
  }

  get errorCount(): number {
    return this.issues.filter((i) => i.severity === 'error').length;
  }
}
