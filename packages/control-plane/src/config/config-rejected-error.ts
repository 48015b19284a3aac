// The error of config that is rejected (an apply, or a config directory's load): Shoal's one
// error type (RpcError, INVALID_ARGUMENT) carrying every issue found, each naming its document and
// field path. (Not a collector of problems: validators collect issues with IssueCollector.)

import { Code, RpcError } from '@shoal/rpc';
import { type ConfigIssue, formatIssue } from './issues.js';

export class ConfigRejectedError extends RpcError {
  override name = 'ConfigRejectedError';
  readonly issues: readonly ConfigIssue[];

  constructor(issues: ConfigIssue[], summary?: string) {
    const errors = issues.filter((i) => i.severity === 'error');
    const head = summary ?? `config rejected: ${errors.length} error${errors.length === 1 ? '' : 's'}`;
    super(Code.INVALID_ARGUMENT, [head, ...errors.map((i) => `  ${formatIssue(i)}`)].join('\n'));
    this.issues = issues;
  }
}
