// Which xDS servers serve a resource (gRFC A47): an xdstp name's authority's servers, or the
// top-level ones for other names and for authorities that list none. Several servers are tried in
// order (gRFC A71 fallback; gRFC A95 fallback_on_reachability_only).
import { Code, RpcError } from '@shoal/rpc/client';
import type { XdsBootstrap, XdsServerConfig } from '../bootstrap.js';

export function serversFor(
  bootstrap: XdsBootstrap,
  name: string,
): { servers: readonly XdsServerConfig[]; reachabilityOnly: boolean } | { error: RpcError } {
  if (!name.startsWith('xdstp://'))
    return { servers: bootstrap.xdsServers, reachabilityOnly: bootstrap.fallbackOnReachabilityOnly };
  const authority = name.slice('xdstp://'.length).split('/', 1)[0] ?? '';
  const config = bootstrap.authorities[authority];
  if (!config) {
    return {
      error: new RpcError(
        Code.INVALID_ARGUMENT,
        `xDS resource ${name}: authority "${authority}" is not in the bootstrap`,
      ),
    };
  }
  return config.xdsServers.length > 0
    ? { servers: config.xdsServers, reachabilityOnly: config.fallbackOnReachabilityOnly }
    : { servers: bootstrap.xdsServers, reachabilityOnly: bootstrap.fallbackOnReachabilityOnly };
}
