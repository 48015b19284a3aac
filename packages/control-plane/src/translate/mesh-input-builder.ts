// Builds the translator's MeshInput from the config store (VirtualService, DestinationRule,
// PeerAuthentication, AuthorizationPolicy, Dubbo's rules) and the registry (services, endpoints, interface → host).

import type { ConfigStore } from '../config/config-store.js';
import type { Registry } from '../registry/registry-types.js';
import type { MeshInput, MeshInterface } from './mesh-input.js';

export function buildMeshInput(store: ConfigStore, registry: Registry, trustDomain?: string): MeshInput {
  const interfaces: MeshInterface[] = [];
  for (const name of registry.interfaces()) {
    for (const target of registry.resolveInterface(name)) {
      interfaces.push({ interface: name, hostname: target.hostname, port: target.port });
    }
  }
  return {
    version: `${store.version}.${registry.version}`,
    services: registry.services().map((s) => ({
      hostname: s.hostname,
      namespace: s.namespace,
      ports: s.ports.map((p) => ({
        name: p.name,
        number: p.number,
        ...(p.protocol ? { protocol: p.protocol } : {}),
      })),
      interfaces: s.interfaces,
    })),
    endpoints: registry.endpoints().map((e) => ({
      hostname: e.hostname,
      servicePort: e.servicePort,
      address: e.address,
      port: e.port,
      labels: e.labels,
      ...(e.locality ? { locality: e.locality } : {}),
      weight: e.weight,
      health: e.health,
      origin: e.origin,
      ...(e.serviceAccount ? { serviceAccount: e.serviceAccount } : {}),
    })),
    virtualServices: store.list('VirtualService'),
    destinationRules: store.list('DestinationRule'),
    peerAuthentications: store.list('PeerAuthentication'),
    authorizationPolicies: store.list('AuthorizationPolicy'),
    interfaces,
    ...(trustDomain ? { trustDomain } : {}),
    dubbo: {
      conditionRoutes: store.list('ConditionRoute'),
      tagRoutes: store.list('TagRoute'),
      dynamicConfigs: store.list('DynamicConfig'),
      virtualServices: store.list('DubboVirtualService'),
      destinationRules: store.list('DubboDestinationRule'),
    },
  };
}
