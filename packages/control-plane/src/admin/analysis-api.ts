// Admin API: what is wrong with the live mesh, in one list, as `istioctl analyze` reports it for a
// cluster: cross-object errors and warnings of the stored config (against the registry's hosts),
// and every xDS client's last NACK with the version it rejected. The console's overview shows it.

import { type AnalyzeOptions, analyzeConfig } from '../config/analyze.js';
import type { ConfigStore } from '../config/config-store.js';
import type { Registry } from '../registry/registry-types.js';
import type { ClientStatus } from '../xds-server/client-status.js';
import type { AnalysisAnswer } from './api/analysis.js';

/** What the registry knows that the analysis counts: its hosts, and which hosts serve each interface. */
export function registryFacts(registry: Registry): AnalyzeOptions {
  return {
    knownHosts: registry.services().map((s) => s.hostname),
    interfaceHosts: new Map(
      registry.interfaces().map((i) => [i, registry.resolveInterface(i).map((t) => t.hostname)]),
    ),
  };
}

export function liveAnalysis(
  store: ConfigStore,
  registry: Registry,
  clients: ClientStatus[],
): AnalysisAnswer {
  const { errors, warnings } = analyzeConfig(store.list(), registryFacts(registry));
  const nacks = clients.flatMap((c) =>
    Object.entries(c.types).flatMap(([type, t]) =>
      t?.lastNack ? [{ nodeId: c.nodeId, streamId: c.streamId, type, state: t.state, ...t.lastNack }] : [],
    ),
  );
  return { errors, warnings, nacks };
}
