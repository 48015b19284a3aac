// How a new app depends on Shoal's packages. They are not on a registry yet, so each is linked from
// the Shoal checkout this CLI runs from (`file:` specifiers: `npm install` makes symlinks), and
// third-party packages get the versions that checkout uses. This is the one place to change when
// apps install Shoal from `npm pack` tarballs instead.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from '../cli-error.js';

const shoalPackages: Record<string, string> = {
  '@shoal/rpc': 'packages/rpc',
  '@shoal/xds': 'packages/xds',
  '@shoal/telemetry': 'packages/telemetry',
  '@shoal/mesh': 'packages/mesh',
  '@shoal/cli': 'packages/cli',
};

/** The Shoal checkout holding this CLI: packages/cli/dist/scaffold → the repository root. */
function shoalRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
}

/** The version specifier of each dependency, for an app created in `appDir`. */
export function dependencyVersions(appDir: string): (pkg: string) => string {
  const root = shoalRoot();
  if (!existsSync(join(root, 'packages', 'rpc', 'package.json'))) {
    throw new CliError(`cannot find the Shoal packages next to this CLI (looked in ${root})`);
  }
  return (pkg) => {
    const dir = shoalPackages[pkg];
    if (dir) return `file:${relative(appDir, join(root, dir))}`;
    const manifest = join(root, 'node_modules', pkg, 'package.json');
    return existsSync(manifest)
      ? `^${(JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version}`
      : 'latest';
  };
}
