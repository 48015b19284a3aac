// The Host header values a sidecar's virtual host for a service answers to, as istiod generates
// them: the FQDN, its absolute form with a trailing dot, and the short forms a workload in the
// same Kubernetes namespace (`reviews`, `reviews.default`, `reviews.default.svc`) or another
// namespace (`reviews.default`, `reviews.default.svc`) may use. Ports are not listed: the route
// configuration sets ignore_port_in_host_matching, so `reviews:9080` matches `reviews`.
// Istio: httproute.go generateVirtualHostDomains, GenerateAltVirtualHosts,
// generateAltVirtualHostsForKubernetesService (PILOT_ENABLE_ABSOLUTE_FQDN_VHOST_DOMAIN on, its
// default; port suffixes dropped since istio/istio#40475).

import { isIP } from 'node:net';

/**
 * @param hostname the service's FQDN (`reviews.default.svc.cluster.local`)
 * @param proxyDomain the sidecar's DNS domain (`default.svc.cluster.local`)
 */
export function virtualHostDomains(hostname: string, proxyDomain: string): string[] {
  const absolute = isIP(hostname) ? [] : [`${hostname}.`];
  return [hostname, ...absolute, ...kubernetesAltHosts(hostname, proxyDomain)];
}

function kubernetesAltHosts(hostname: string, proxyDomain: string): string[] {
  const svc = proxyDomain.indexOf('.svc.');
  // Only a Kubernetes-style proxy domain (`ns.svc.suffix`) expands short names, and only for
  // hosts under the same `.svc.suffix`: other names could collide with a service's short name.
  if (svc < 0 || !hostname.endsWith(proxyDomain.slice(svc))) return [];
  const proxyNamespace = proxyDomain.slice(0, svc);
  const hostSvc = hostname.indexOf('.svc.');
  const firstDot = hostname.indexOf('.');
  if (hostSvc <= 0 || firstDot + 1 > hostSvc) return [];
  const name = hostname.slice(0, firstDot);
  const nameNamespace = hostname.slice(0, hostSvc);
  if (hostname.slice(firstDot + 1, hostSvc) === proxyNamespace) {
    return [name, `${nameNamespace}.svc`, nameNamespace];
  }
  return [nameNamespace, `${nameNamespace}.svc`];
}
