// Text → validated config objects, in one step: parse every document, validate each, and collect
// every error and warning with the document and field path it belongs to.

import type { AnyConfigObject } from './config-object.js';
import { ConfigValidator, type SkippedDocument } from './config-validator.js';
import type { ConfigIssue } from './issues.js';
import { parseDocuments } from './parse-documents.js';

/** YAML or JSON text read into config objects: the valid ones, the skipped documents and the issues. */
export interface LoadedConfig {
  /** The valid Istio (and Kubernetes Service) objects, in document order. */
  objects: AnyConfigObject[];
  /** Documents of kinds Shoal does not read, with the reason. */
  skipped: SkippedDocument[];
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

/** Where the text came from, and a validator to reuse. */
export interface LoadOptions {
  /** File name or other origin, carried into every issue. */
  source?: string;
  /** Reuse one validator (it caches compiled schemas). */
  validator?: ConfigValidator;
}

/** Parses YAML or JSON text and validates every document in it. */
export function loadConfigText(text: string, options: LoadOptions = {}): LoadedConfig {
  const parsed = parseDocuments(text, options.source);
  return validateDocuments(
    parsed.documents.map((d) => d.value),
    { ...options, lines: parsed.documents.map((d) => d.line) },
    parsed.issues,
  );
}

/** Validates already-decoded documents (for example a JSON body of the admin API). */
export function validateDocuments(
  values: unknown[],
  options: LoadOptions & { lines?: (number | undefined)[] } = {},
  initial: ConfigIssue[] = [],
): LoadedConfig {
  const validator = options.validator ?? new ConfigValidator();
  const out: LoadedConfig = { objects: [], skipped: [], errors: [], warnings: [] };
  for (const issue of initial) (issue.severity === 'error' ? out.errors : out.warnings).push(issue);
  values.forEach((value, index) => {
    const line = options.lines?.[index];
    const result = validator.validate(value, {
      index,
      ...(options.source ? { source: options.source } : {}),
      ...(line ? { line } : {}),
    });
    for (const issue of result.issues) (issue.severity === 'error' ? out.errors : out.warnings).push(issue);
    if (result.object) out.objects.push(result.object);
    if (result.skipped) out.skipped.push(result.skipped);
  });
  return out;
}
