// Internal, for tests only. Fixture: Istio's Bookinfo samples (../shared/testdata/istio) loaded through the config
// store's parser, plus a registry view with the Bookinfo services and versioned endpoints.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ConfigObject } from '../src/config/config-object.js';
import { ConfigValidator } from '../src/config/config-validator.js';
import { loadConfigText } from '../src/config/load-config.js';
import type { HTTPRoute } from '../src/config/networking-types.js';
import type { MeshEndpoint, MeshInput, MeshService } from '../src/translate/mesh-input.js';
import { type ProxyNode, proxyNodeOf } from '../src/xds-server/proxy-node.js';

export const TESTDATA = fileURLToPath(new URL('../../../../../shared/testdata/istio/', import.meta.url));

let validator: ConfigValidator | undefined;

export function loadSample(file: string): {
  virtualServices: ConfigObject<'VirtualService'>[];
  destinationRules: ConfigObject<'DestinationRule'>[];
} {
  const loaded = loadConfigText(readFileSync(TESTDATA + file, 'utf8'), {
    source: file,
    validator: (validator ??= new ConfigValidator()),
  });
  if (loaded.errors.length) throw new Error(`${file}: ${loaded.errors.map((e) => e.message).join('; ')}`);
  return {
    virtualServices: loaded.objects.filter(
      (o): o is ConfigObject<'VirtualService'> => o.kind === 'VirtualService',
    ),
    destinationRules: loaded.objects.filter(
      (o): o is ConfigObject<'DestinationRule'> => o.kind === 'DestinationRule',
    ),
  };
}

export const fqdn = (name: string) => `${name}.default.svc.cluster.local`;

/** A reviews VirtualService whose one route splits calls over subsets by weight (`http` adds fields). */
export function reviewsSplit(
  weights: Record<string, number>,
  http: Partial<HTTPRoute> = {},
): ConfigObject<'VirtualService'> {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'reviews', namespace: 'default' },
    spec: {
      hosts: ['reviews'],
      http: [
        {
          ...http,
          route: Object.entries(weights).map(([subset, weight]) => ({
            destination: { host: 'reviews', subset },
            weight,
          })),
        },
      ],
    },
  };
}

export function bookinfoServices(): MeshService[] {
  return ['productpage', 'details', 'ratings', 'reviews'].map((name) => ({
    hostname: fqdn(name),
    namespace: 'default',
    ports: [{ name: 'http', number: 9080 }],
  }));
}

export function bookinfoEndpoints(): MeshEndpoint[] {
  const out: MeshEndpoint[] = [];
  let ip = 10;
  for (const [name, versions] of [
    ['productpage', ['v1']],
    ['details', ['v1']],
    ['ratings', ['v1']],
    ['reviews', ['v1', 'v2', 'v3']],
  ] as const) {
    for (const version of versions) {
      out.push({
        hostname: fqdn(name),
        servicePort: 9080,
        address: `10.0.0.${ip++}`,
        port: 9080,
        labels: { app: name, version },
        locality: 'us-east/us-east-1a/',
      });
    }
  }
  return out;
}

export function bookinfoInput(files: string[], extra: Partial<MeshInput> = {}): MeshInput {
  const vs: ConfigObject<'VirtualService'>[] = [];
  const dr: ConfigObject<'DestinationRule'>[] = [];
  for (const file of files) {
    const sample = loadSample(file);
    vs.push(...sample.virtualServices);
    dr.push(...sample.destinationRules);
  }
  return {
    version: '1',
    services: bookinfoServices(),
    endpoints: bookinfoEndpoints(),
    virtualServices: vs,
    destinationRules: dr,
    ...extra,
  };
}

export function clientNode(
  namespace = 'default',
  locality?: { region: string; zone: string; subZone: string },
): ProxyNode {
  return proxyNodeOf({
    id: `sidecar~10.1.0.1~client.${namespace}~${namespace}.svc.cluster.local`,
    metadata: { NAMESPACE: namespace, INSTANCE_IPS: '10.1.0.1', GENERATOR: 'grpc' },
    ...(locality ? { locality } : {}),
  });
}

/**
 * An Envoy sidecar's node as Istio's agent writes it: `sidecar~IP~pod.ns~ns.svc.cluster.local`,
 * user agent `envoy`, no GENERATOR. The Bookinfo endpoints start at 10.0.0.10 (productpage v1).
 */
export function sidecarNode(
  ip = '10.0.0.10',
  labels: Record<string, string> = { app: 'productpage', version: 'v1' },
  namespace = 'default',
): ProxyNode {
  return proxyNodeOf({
    id: `sidecar~${ip}~${labels.app ?? 'app'}-abc.${namespace}~${namespace}.svc.cluster.local`,
    metadata: { NAMESPACE: namespace, INSTANCE_IPS: ip, LABELS: labels, ISTIO_VERSION: '1.27.0' },
    userAgentName: 'envoy',
    userAgentVersionType: { case: 'userAgentVersion', value: '1.35.3' },
  });
}

/** A gRPC service beside Bookinfo (port named `grpc`), with one endpoint at `ip`. */
export function greeterService(ip = '10.0.0.20'): { services: MeshService[]; endpoints: MeshEndpoint[] } {
  const hostname = fqdn('greeter');
  return {
    services: [
      { hostname, namespace: 'default', ports: [{ name: 'grpc', number: 50051, protocol: 'GRPC' }] },
    ],
    endpoints: [
      { hostname, servicePort: 50051, address: ip, port: 50051, labels: { app: 'greeter', version: 'v1' } },
    ],
  };
}

/** A TCP service (`mysqldb`, port 3306) served at `ip`: a workload's TCP inbound chain. */
export function tcpService(ip = '10.0.0.10'): { services: MeshService[]; endpoints: MeshEndpoint[] } {
  const hostname = fqdn('mysqldb');
  return {
    services: [{ hostname, namespace: 'default', ports: [{ name: 'tcp', number: 3306, protocol: 'TCP' }] }],
    endpoints: [{ hostname, servicePort: 3306, address: ip, port: 3306, labels: { app: 'mysqldb' } }],
  };
}
