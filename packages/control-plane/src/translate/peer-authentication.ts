// The mutual TLS mode of a server's port: the most specific PeerAuthentication wins (one whose
// selector matches the workload, then the namespace's, then the mesh-wide one in the root
// namespace), a port-level mode overrides, and UNSET inherits from the level above. Default
// PERMISSIVE; with no PeerAuthentication at all, servers are given plaintext, as istiod gives
// proxyless servers (gRPC servers drop TLS-only filter chains, gRFC A36).
// Istio: security.v1.PeerAuthentication.

import type { ConfigObject } from '../config/config-object.js';
import type { MutualTLSMode } from '../config/security-types.js';

export const ROOT_NAMESPACE = 'istio-system';

export function mtlsModeFor(
  policies: readonly ConfigObject<'PeerAuthentication'>[],
  namespace: string,
  labels: Readonly<Record<string, string>>,
  port: number,
): Exclude<MutualTLSMode, 'UNSET'> {
  return explicitMtlsMode(policies, namespace, labels, port) ?? 'PERMISSIVE';
}

/** The mode a PeerAuthentication sets for the workload's port, or undefined when none does. */
export function explicitMtlsMode(
  policies: readonly ConfigObject<'PeerAuthentication'>[],
  namespace: string,
  labels: Readonly<Record<string, string>>,
  port: number,
): Exclude<MutualTLSMode, 'UNSET'> | undefined {
  const matches = (pa: ConfigObject<'PeerAuthentication'>) =>
    Object.entries(pa.spec.selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const hasSelector = (pa: ConfigObject<'PeerAuthentication'>) =>
    Object.keys(pa.spec.selector?.matchLabels ?? {}).length > 0;
  const levels = [
    policies.find((p) => p.metadata.namespace === namespace && hasSelector(p) && matches(p)),
    policies.find((p) => p.metadata.namespace === namespace && !hasSelector(p)),
    policies.find((p) => p.metadata.namespace === ROOT_NAMESPACE && !hasSelector(p)),
  ];
  for (const pa of levels) {
    if (!pa) continue;
    const portMode = hasSelector(pa) ? pa.spec.portLevelMtls?.[String(port)]?.mode : undefined;
    const mode = portMode && portMode !== 'UNSET' ? portMode : pa.spec.mtls?.mode;
    if (mode && mode !== 'UNSET') return mode;
  }
  return undefined;
}
