// Virtual host selection by domain (gRFC A28, Envoy: route.v3.VirtualHost.domains). The most
// specific domain wins: an exact name, then the longest suffix wildcard (`*.example.com`), then
// the longest prefix wildcard (`example.*`), then `*`. Names compare case-insensitively.

/** Anything with a domain list: the decoded XdsVirtualHost fits. */
export interface HasDomains {
  readonly domains: readonly string[];
}

/** How specific a match is: kind first (lower is better), then pattern length (longer is better). */
enum MatchKind {
  Exact = 0,
  Suffix = 1,
  Prefix = 2,
  Universal = 3,
  None = 4,
}

function matchKind(pattern: string, host: string): MatchKind {
  if (pattern === '*') return MatchKind.Universal;
  if (pattern.startsWith('*')) {
    // `*.foo.com` needs at least one character before the suffix, as in Envoy.
    const suffix = pattern.slice(1);
    return host.length > suffix.length && host.endsWith(suffix) ? MatchKind.Suffix : MatchKind.None;
  }
  if (pattern.endsWith('*')) {
    const prefix = pattern.slice(0, -1);
    return host.length > prefix.length && host.startsWith(prefix) ? MatchKind.Prefix : MatchKind.None;
  }
  return pattern === host ? MatchKind.Exact : MatchKind.None;
}

/** The virtual host whose domains match `host` best, or undefined when none does. */
export function selectVirtualHost<V extends HasDomains>(
  virtualHosts: readonly V[],
  host: string,
): V | undefined {
  const name = host.toLowerCase();
  let best: V | undefined;
  let bestKind = MatchKind.None;
  let bestLength = -1;
  for (const vh of virtualHosts) {
    for (const raw of vh.domains) {
      const pattern = raw.toLowerCase();
      const kind = matchKind(pattern, name);
      if (kind === MatchKind.None) continue;
      if (kind < bestKind || (kind === bestKind && pattern.length > bestLength)) {
        best = vh;
        bestKind = kind;
        bestLength = pattern.length;
        if (kind === MatchKind.Exact) return best;
      }
    }
  }
  return best;
}
