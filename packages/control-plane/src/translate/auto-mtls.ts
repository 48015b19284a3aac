// Which clusters are called over Istio mutual TLS, and which server identities they accept.
// - A DestinationRule's `tls` decides when it has one.
// - Without one, a cluster is called with ISTIO_MUTUAL when every endpoint's PeerAuthentication
//   is STRICT (or, with no endpoint yet, the namespace's): Istio's auto mTLS, limited to where
//   plaintext would be refused anyway, since a gRPC server cannot take mTLS in PERMISSIVE mode.
// - ISTIO_MUTUAL without subjectAltNames accepts the SPIFFE IDs of the endpoints' service
//   accounts, as istiod fills them in, so a server with another identity is refused (a wrong SAN).
// Istio: DestinationRule ClientTLSSettings, auto mTLS, istiod's SAN list from service accounts.

import type { ConfigObject } from '../config/config-object.js';
import type { ClientTLSSettings } from '../config/networking-types.js';
import type { MeshEndpoint } from './mesh-input.js';
import { mtlsModeFor } from './peer-authentication.js';

export interface AutoMtlsContext {
  readonly peerAuthentications: readonly ConfigObject<'PeerAuthentication'>[];
  /** The service's namespace (its endpoints' workloads live there). */
  readonly namespace: string;
  readonly trustDomain: string;
}

export function upstreamTlsSettings(
  explicit: ClientTLSSettings | undefined,
  endpoints: readonly MeshEndpoint[],
  ctx: AutoMtlsContext,
): ClientTLSSettings | undefined {
  let tls = explicit;
  if (tls === undefined) {
    const strict =
      endpoints.length > 0
        ? endpoints.every(
            (e) => mtlsModeFor(ctx.peerAuthentications, ctx.namespace, e.labels, e.port) === 'STRICT',
          )
        : mtlsModeFor(ctx.peerAuthentications, ctx.namespace, {}, 0) === 'STRICT';
    if (!strict) return undefined;
    tls = { mode: 'ISTIO_MUTUAL' };
  }
  if (tls.mode !== 'ISTIO_MUTUAL' || (tls.subjectAltNames?.length ?? 0) > 0) return tls;
  const accounts = endpoints.map((e) => e.serviceAccount);
  // One endpoint without a known service account: any certificate of the mesh is accepted.
  if (accounts.length === 0 || accounts.some((a) => a === undefined)) return tls;
  const sans = [...new Set(accounts.map((sa) => `spiffe://${ctx.trustDomain}/ns/${ctx.namespace}/sa/${sa}`))];
  return { ...tls, subjectAltNames: sans.sort() };
}
