// RBAC (gRFC A41; Envoy: extensions.filters.http.rbac.v3.RBAC, overridden per route by
// RBACPerRoute) as a server filter plug-in: each route compiles its engine (rbac-engine.ts) once,
// and a call it denies fails with PERMISSION_DENIED, naming the policy that decided. The engine
// sees the call's path and headers and the connection's addresses (the peer for remote_ip,
// direct_remote_ip and source_ip; the local IP for destination_ip on a wildcard listener), read
// from the socket only when a rule asks for them, and then once, and the identity of the client
// certificate the mutual TLS handshake verified (peer-identity.ts: its SPIFFE ID, for Istio's
// principals, source.principals and source.namespaces).

import { type CallAddresses, type CallRequest, Code, type Metadata, RpcError } from '@shoal/rpc';
import { type RbacFilterConfig, rbacFilterType } from '@shoal/xds/plugins';
import type { HttpFilterPlugin } from '../filters/http-filter.js';
import { type PeerIdentity, peerIdentity } from '../security/peer-identity.js';
import { compileRbac, type RbacRequest } from './rbac-engine.js';

/** The RBAC filter (envoy.filters.http.rbac, gRFC A41): allows or denies each call on the server. */
export const rbacFilter: HttpFilterPlugin = Object.freeze({
  ...rbacFilterType,
  buildServerInterceptor: (config, override, { server }) => {
    const engine = compileRbac((override ?? config) as RbacFilterConfig, server);
    return (call, next) => {
      const decision = engine(new ConnectionFacts(call.path, call.request));
      if (decision.allowed) return next();
      return Promise.reject(
        new RpcError(
          Code.PERMISSION_DENIED,
          `RBAC: access denied${decision.policy === undefined ? '' : ` by policy ${JSON.stringify(decision.policy)}`}`,
        ),
      );
    };
  },
} satisfies HttpFilterPlugin);

/** What RBAC sees of a call; the connection's addresses are read when first asked for. */
class ConnectionFacts implements RbacRequest {
  private addressesValue: CallAddresses | null | undefined;

  constructor(
    readonly path: string,
    private readonly request: CallRequest,
  ) {}

  get headers(): Metadata {
    return this.request.header;
  }

  get localIp(): string | undefined {
    return this.addresses()?.localIp;
  }

  get remoteIp(): string | undefined {
    return this.addresses()?.remoteIp;
  }

  get serverName(): string | undefined {
    return this.request.context?.security?.serverName;
  }

  get peer(): PeerIdentity | undefined {
    const cert = this.request.context?.security?.peerCertificate;
    return cert && peerIdentity(cert);
  }

  private addresses(): CallAddresses | null {
    if (this.addressesValue === undefined) this.addressesValue = this.request.context?.addresses ?? null;
    return this.addressesValue;
  }
}
