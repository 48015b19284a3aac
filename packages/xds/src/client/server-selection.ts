// Which xDS servers serve a resource (gRFC A47): an xdstp name's authority's servers, or the
// top-level ones for other names and for authorities that list none. Several servers are tried in
// order (gRFC A71 fallback).
import { Code, RpcError } from '@shoal/rpc/client';
import type { XdsBootstrap, XdsServerConfig } from '../bootstrap.js';

export function serversFor(
  bootstrap: XdsBootstrap,
  name: string,
): { servers: readonly XdsServerConfig[] } | { error: RpcError } {
  if (!name.startsWith('xdstp://')) return { servers: bootstrap.xdsServers };
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
  return { servers: config.xdsServers.length > 0 ? config.xdsServers : bootstrap.xdsServers };
}
