// The parameters Dubbo's rules read, in Shoal's terms. A provider instance's "URL parameters" are
// its endpoint: host, port, address (`ip:port`), application (its host's app), protocol, and its
// labels; `region` and `zone` fall back to its locality. A consumer's are its xDS node: its
// application (SHOAL_APP or the `app` label), host (its first IP), labels, and locality.
// Dubbo: URL.toOriginalMap (host, port, address, protocol, parameters), ConditionStateRouter.

import type { MeshEndpoint } from '../translate/mesh-input.js';

/** The provider application of a host: `shop-detail` for `shop-detail.<ns>.svc.<suffix>`, else the host. */
export function appOfHost(hostname: string): string {
  const m = /^([^.]+)\.[^.]+\.svc\./.exec(hostname);
  return m ? m[1]! : hostname;
}

function localityPart(locality: string | undefined, name: string): string | undefined {
  if (!locality) return undefined;
  const [region = '', zone = '', subzone = ''] = locality.split('/');
  const value = name === 'region' ? region : name === 'zone' ? zone : name === 'subzone' ? subzone : '';
  return value === '' ? undefined : value;
}

/** A provider instance's parameter, or undefined when it has none. */
export function providerParam(ep: MeshEndpoint, name: string): string | undefined {
  switch (name) {
    case 'host':
    case 'ip':
      return ep.address;
    case 'port':
      return String(ep.port);
    case 'address':
      return `${ep.address}:${ep.port}`;
    case 'application':
      return ep.labels.application ?? appOfHost(ep.hostname);
    case 'protocol':
      return ep.labels.protocol ?? 'tri';
  }
  return ep.labels[name] ?? localityPart(ep.locality, name);
}

/** The consumer as Dubbo's rules see it. */
export interface DubboConsumer {
  readonly app: string | undefined;
  readonly ip: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly locality: string;
}

/** The consumer an xDS client is: SHOAL_APP (or its `app` label), its first IP, labels, locality. */
export function dubboConsumerOf(node: {
  metadata: Readonly<Record<string, unknown>>;
  labels: Readonly<Record<string, string>>;
  ips: readonly string[];
  locality: string;
}): DubboConsumer {
  const declared = node.metadata.SHOAL_APP;
  const app =
    typeof declared === 'string' && declared !== ''
      ? declared
      : (node.labels.app ?? node.labels['app.kubernetes.io/name']);
  return { app, ip: node.ips[0], labels: node.labels, locality: node.locality };
}

export function consumerParam(consumer: DubboConsumer, name: string): string | undefined {
  switch (name) {
    case 'application':
      return consumer.app;
    case 'host':
    case 'ip':
    case 'address':
      return consumer.ip;
    case 'side':
      return 'consumer';
  }
  return consumer.labels[name] ?? localityPart(consumer.locality, name);
}
