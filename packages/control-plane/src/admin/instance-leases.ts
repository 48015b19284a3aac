// The registry's endpoints for `GET /api/registry/endpoints`, each self-registered instance with
// its lease (Istio WorkloadGroup auto-registration: the live ADS stream is the lease): when it
// registered, when its stream last spoke (the latest ACK or NACK of any type, as in
// `proxy-status`), and whether it is in the grace period after its stream ended.

import type { Registry } from '../registry/registry-types.js';
import type { ClientStatus } from '../xds-server/client-status.js';
import type { RegistryEndpointAnswer } from './api/registry.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** The latest moment a client's stream sent something the control plane recorded. */
function lastHeard(c: ClientStatus): string {
  let last = c.connectedSince;
  for (const t of Object.values(c.types)) {
    for (const at of [t?.ackedAt, t?.lastNack?.at]) if (at && at > last) last = at;
  }
  return last;
}

export function endpointsWithLeases(
  registry: Registry,
  clients: readonly ClientStatus[],
  host?: string,
): RegistryEndpointAnswer[] {
  const leases = new Map((registry.leases?.() ?? []).map((l) => [l.nodeId, l]));
  const heard = new Map<string, string>();
  for (const c of clients) {
    const at = lastHeard(c);
    if (at > (heard.get(c.nodeId) ?? '')) heard.set(c.nodeId, at);
  }
  return registry.endpoints(host).map((e) => {
    const lease = e.origin.startsWith('node:') ? leases.get(e.origin.slice(5)) : undefined;
    if (!lease) return e;
    const last = heard.get(lease.nodeId);
    return {
      ...e,
      lease: {
        registeredAt: iso(lease.registeredAt),
        ...(last && lease.endedAt === undefined && { lastHeardAt: last }),
        state: lease.endedAt === undefined ? 'live' : 'ended',
        ...(lease.expiresAt !== undefined && { expiresAt: iso(lease.expiresAt) }),
      },
    };
  });
}
