// How a new app depends on Shoal's packages. Run from a Shoal checkout, the CLI links each package
// from it (`file:` specifiers: `npm install` makes symlinks), and third-party packages get the
// versions that checkout uses. Installed (from a registry or `npm pack` tarballs), it asks for
// Shoal's packages at its own version, and third-party ones at the ranges the CLI itself declares.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliManifest } from '../version.js';

const shoalPackages: Record<string, string> = {
  '@shoal/rpc': 'packages/rpc',
  '@shoal/xds': 'packages/xds',
  '@shoal/telemetry': 'packages/telemetry',
  '@shoal/mesh': 'packages/mesh',
  '@shoal/cli': 'packages/cli',
};

/** What an app needs that the CLI does not depend on, when no checkout says which version. */
const fallbackRanges: Record<string, string> = { typescript: '~5.9.0', '@types/node': '^20.19.0' };

/** The Shoal checkout holding this CLI (packages/cli/dist/scaffold → its root), if it runs from one. */
function shoalCheckout(): string | undefined {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
  const manifest = join(root, 'package.json');
  if (!existsSync(manifest) || !existsSync(join(root, 'packages', 'rpc', 'package.json'))) return undefined;
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'shoal'
    ? root
    : undefined;
}

/** The version of `pkg` installed in the checkout's node_modules, if it is there. */
function checkoutVersion(root: string, pkg: string): string | undefined {
  const manifest = join(root, 'node_modules', pkg, 'package.json');
  return existsSync(manifest)
    ? (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version
    : undefined;
}

/** The version specifier of each dependency, for an app created in `appDir`. */
export function dependencyVersions(appDir: string): (pkg: string) => string {
  const root = shoalCheckout();
  if (root) {
    return (pkg) => {
      const dir = shoalPackages[pkg];
      if (dir) return `file:${relative(appDir, join(root, dir))}`;
      const version = checkoutVersion(root, pkg);
      return version ? `^${version}` : (fallbackRanges[pkg] ?? 'latest');
    };
  }
  const cli = cliManifest();
  return (pkg) => {
    if (shoalPackages[pkg]) return cli.version;
    return cli.dependencies[pkg] ?? fallbackRanges[pkg] ?? 'latest';
  };
}
