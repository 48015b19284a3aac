// Mesh targets: `xds:///host:port` as in gRPC (gRFC A27; `xds://authority/host:port` with a
// bootstrap authority, gRFC A47), and Dubbo-style interface names such as `greet.v1.GreeterService`,
// which name a Listener the control plane publishes per interface (DESIGN.md: interface-level
// discovery). The listener name follows the bootstrap's client listener template when one is given.

import { Code, RpcError } from '@shoal/rpc/client';
import type { XdsBootstrap } from '@shoal/xds/client';
import { clientListenerResourceName } from '@shoal/xds/plugins';

/** A parsed mesh target: `xds:///host:port` or a Dubbo-style interface name. */
export interface MeshTarget {
  /** What the caller wrote. */
  readonly target: string;
  readonly kind: 'xds' | 'interface';
  /** The client Listener to watch. */
  readonly listenerName: string;
  /** Matched against virtual host domains and sent as `:authority`: `host:port` or the interface name. */
  readonly authority: string;
}

/** A protobuf full name: dot-separated identifiers, at least two parts (`pkg.Service`). */
const INTERFACE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/;

/** Parses a mesh target; bad targets throw INVALID_ARGUMENT saying what was expected. */
export function parseMeshTarget(target: string, bootstrap?: XdsBootstrap): MeshTarget {
  const bad = (why: string) =>
    new RpcError(
      Code.INVALID_ARGUMENT,
      `mesh target ${JSON.stringify(target)}: ${why}; expected xds:///host:port, xds://authority/host:port or an interface name such as greet.v1.GreeterService`,
    );
  if (target.startsWith('xds:')) {
    const m = /^xds:\/\/([^/]*)\/(.+)$/.exec(target);
    if (!m) throw bad('an xds target needs two slashes and a name');
    const authorityName = m[1]!;
    const name = decodeURIComponent(m[2]!);
    if (/\s/.test(name)) throw bad('the name must not contain spaces');
    if (authorityName !== '' && !bootstrap)
      throw bad(`authority ${JSON.stringify(authorityName)} needs a bootstrap`);
    const listenerName = bootstrap
      ? clientListenerResourceName(bootstrap, name, authorityName || undefined)
      : name;
    return { target, kind: 'xds', listenerName, authority: name };
  }
  if (target.includes(':') || target.includes('/')) throw bad('unknown scheme');
  if (!INTERFACE_NAME.test(target)) throw bad('not an interface name');
  const listenerName = bootstrap ? clientListenerResourceName(bootstrap, target) : target;
  return { target, kind: 'interface', listenerName, authority: target };
}
