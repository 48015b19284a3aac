// Where the demo's files are, wherever this package is installed: the config the control plane
// starts with, the tour's files (canary, header route, fault, timeout, a bootstrap for
// `shoal call`), and the provider process's entry point.

import { fileURLToPath } from 'node:url';

/** Where the demo's files are, wherever the package is installed. */
export interface DemoFiles {
  /** The folder of config the demo's control plane loads and watches. */
  readonly config: string;
  /** The folder of the tour's files, applied while the demo runs. */
  readonly tour: string;
  /** The provider process: `node <provider> --name --version --zone --ip --port --xds`. */
  readonly provider: string;
}

/** The paths of the demo's config, tour files and provider process. */
export function demoFiles(): DemoFiles {
  const root = new URL('../', import.meta.url); // this file is in dist/
  return {
    config: fileURLToPath(new URL('config', root)),
    tour: fileURLToPath(new URL('tour', root)),
    provider: fileURLToPath(new URL('provider.js', import.meta.url)),
  };
}
