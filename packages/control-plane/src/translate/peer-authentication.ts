// The mutual TLS mode of a server's port: the most specific PeerAuthentication wins (one whose
// selector matches the workload, then the namespace's, then the mesh-wide one in the root
// namespace), a port-level mode overrides, and UNSET inherits from the level above. Default
// PERMISSIVE, which proxyless servers serve as plaintext (gRFC A36 drops TLS-only filter chains).
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
  return 'PERMISSIVE';
}
