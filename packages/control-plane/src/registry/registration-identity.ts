// Who may register a workload once mutual TLS is on (issue 11): a registration sent over an ADS
// stream whose client certificate the xDS port verified must be for that certificate's namespace
// and service account (the service account is taken from it when the node does not say), and an
// app whose endpoints already run as other service accounts takes no endpoint of a new one.
// Without a certificate, a workload under PeerAuthentication STRICT (or any workload, with
// `requireRegistrationIdentity`) is refused, so nobody can inject endpoints for someone else's app.
// Istio: WorkloadGroup auto-registration checks the proxy's identity against the group.

import { Code, RpcError } from '@shoal/rpc';
import { spiffeId, type WorkloadIdentity } from '@shoal/xds/plugins';
import type { RegisteredInstance } from './registry-types.js';

/**
 * The registration to store (with the certificate's service account), or throws
 * PERMISSION_DENIED saying who may register it. `plaintextRefusal` says why a caller without a
 * certificate may not register (undefined: it may).
 */
export function checkRegistrationIdentity(
  registration: RegisteredInstance,
  caller: WorkloadIdentity | undefined,
  trustDomain: string,
  plaintextRefusal: string | undefined,
  /** The service accounts the app's other endpoints run as (from other nodes and config). */
  appAccounts: ReadonlySet<string>,
): RegisteredInstance {
  const what = `registration of ${registration.hostname} (namespace ${registration.namespace}${registration.serviceAccount ? `, service account ${registration.serviceAccount}` : ''})`;
  if (caller === undefined) {
    if (plaintextRefusal === undefined) return registration;
    throw new RpcError(
      Code.PERMISSION_DENIED,
      `${what} refused: ${plaintextRefusal}; connect to the xDS port with the workload's certificate (mutual TLS)`,
    );
  }
  const id = spiffeId(caller);
  if (caller.trustDomain !== trustDomain)
    throw new RpcError(
      Code.PERMISSION_DENIED,
      `${what} refused: the caller ${id} is not in trust domain ${trustDomain}`,
    );
  if (
    caller.namespace !== registration.namespace ||
    (registration.serviceAccount ?? caller.serviceAccount) !== caller.serviceAccount
  )
    throw new RpcError(
      Code.PERMISSION_DENIED,
      `${what} refused: the caller is ${id}, which may register only workloads of namespace ${caller.namespace} and service account ${caller.serviceAccount}`,
    );
  if (appAccounts.size > 0 && !appAccounts.has(caller.serviceAccount))
    throw new RpcError(
      Code.PERMISSION_DENIED,
      `${what} refused: ${registration.hostname} runs as service account ${[...appAccounts].sort().join(', ')}, not ${caller.serviceAccount}`,
    );
  return { ...registration, serviceAccount: caller.serviceAccount };
}
