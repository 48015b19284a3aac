// Host name rules shared by the analyzer, the registry and the translator.
// Istio: model.ResolveShortnameToFQDN and host.Name.Matches.
//
// The rule (the same as istiod's): a host without a dot is a Kubernetes-style short name and
// expands to `name.<namespace of the config>.svc.<domain suffix>`; `reviews` in namespace
// `default` is `reviews.default.svc.cluster.local`. A host with a dot (`reviews.prod`,
// `greeter.example.com`), an IP address and `*` are taken as written. So services that do not
// live in Kubernetes should be named with a dot (an FQDN), or registered with a short name and a
// namespace, which gives them the same `.svc.cluster.local` FQDN that short names expand to.

import { isIP } from 'node:net';

export const DEFAULT_DOMAIN_SUFFIX = 'cluster.local';

export function resolveShortName(
  host: string,
  namespace: string,
  domainSuffix = DEFAULT_DOMAIN_SUFFIX,
): string {
  if (host === '' || host === '*' || host.includes('.') || isIP(host) !== 0) return host;
  return `${host}.${namespace}.svc.${domainSuffix}`;
}

/** The FQDN of a Kubernetes Service. */
export function kubernetesServiceHost(
  name: string,
  namespace: string,
  domainSuffix = DEFAULT_DOMAIN_SUFFIX,
): string {
  return `${name}.${namespace}.svc.${domainSuffix}`;
}

/** True when `pattern` (possibly `*` or `*.suffix`) covers `host`. Host names are case-insensitive. */
export function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (p === h || p === '*') return true;
  return p.startsWith('*') && h.endsWith(p.slice(1));
}
