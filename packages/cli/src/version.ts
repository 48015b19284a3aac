// The version of the CLI, and the dependencies it declares, read from its package.json.

import { readFileSync } from 'node:fs';

/** The CLI's package.json: its version, and its dependencies' ranges (what `shoal new` asks for). */
export function cliManifest(): { version: string; dependencies: Record<string, string> } {
  return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
}

export function cliVersion(): string {
  return cliManifest().version;
}
