// A source of services and endpoints besides config and self-registration: Kubernetes (Services,
// EndpointSlices, Pods), later ZooKeeper. The registry's plug-in point for them: each source keeps
// its own view (fed by its watch) and says which hosts changed; the registry merges the views.
// Backends that bring sources are registered in ../backends/builtin-backends.ts.

import type { RegistryEndpoint, RegistryService } from './registry-types.js';

export interface DiscoverySource {
  /** What it reads, for status lines. */
  readonly description: string;
  /** Strictly increasing with every change of its view. */
  readonly version: number;
  /** Loads the source's view, then calls `onChange` with the hosts of every later change. */
  start(onChange: (hostnames: string[]) => void): Promise<void>;
  services(): readonly RegistryService[];
  endpoints(): readonly RegistryEndpoint[];
  close(): Promise<void>;
}
