// The error a rejected apply throws: Shoal's one error type (RpcError, INVALID_ARGUMENT) carrying
// every issue found, each naming its document and field path.

import { Code, RpcError } from '@shoal/rpc';
import { type ConfigIssue, formatIssue } from './issues.js';

export class ConfigError extends RpcError {
  override name = 'ConfigError';
  readonly issues: readonly ConfigIssue[];

  constructor(issues: ConfigIssue[], summary?: string) {
    const errors = issues.filter((i) => i.severity === 'error');
    const head = summary ?? `config rejected: ${errors.length} error${errors.length === 1 ? '' : 's'}`;
    super(Code.INVALID_ARGUMENT, [head, ...errors.map((i) => `  ${formatIssue(i)}`)].join('\n'));
    this.issues = issues;
  }
}
