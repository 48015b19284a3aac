// The buf CLI, shipped as the @bufbuild/buf npm package beside the CLI (nothing is downloaded).

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export function bufBinary(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@bufbuild/buf/package.json')), 'bin', 'buf');
}
