// What the translator reads: one consistent view of config and registry at a version. The control
// plane builds it from the config store (VirtualService, DestinationRule) and the registry
// (services, endpoints, interface → host). Plain data, so tests and other registries can supply it.

import type { ConfigObject } from '../config/config-object.js';
import type { DubboRules } from '../dubbo/dubbo-rule-index.js';
import type { EndpointHealth } from '../registry/registry-types.js';

export interface MeshServicePort {
  /** Port name (`grpc`, `http`, ...). */
  name: string;
  number: number;
  protocol?: string;
}

export interface MeshService {
  /** Fully qualified host name (`reviews.default.svc.cluster.local`, `greeter.example.com`). */
  hostname: string;
  /** Namespace the service lives in (short names resolve against a client's namespace). */
  namespace: string;
  ports: MeshServicePort[];
  /** Interfaces (`greet.v1.GreeterService`) this host serves, for interface-level discovery. */
  interfaces?: string[];
}

export interface MeshEndpoint {
  /** The host this endpoint serves. */
  hostname: string;
  /** The service port this endpoint backs. */
  servicePort: number;
  /** IP (or host name) and port to dial. */
  address: string;
  port: number;
  labels: Record<string, string>;
  /** `region/zone/subzone`, any part may be empty. */
  locality?: string;
  /** Relative weight, default 1. */
  weight?: number;
  health?: EndpointHealth;
  /** Where the endpoint came from (`WorkloadEntry/default/r1`, a node id), for debugging. */
  origin?: string;
  /** The workload's service account, when known (its SPIFFE ID for mutual TLS). */
  serviceAccount?: string;
}

export interface MeshInput {
  /** Identifies this view; changes whenever anything below changes. */
  version: string;
  services: readonly MeshService[];
  endpoints: readonly MeshEndpoint[];
  virtualServices: readonly ConfigObject<'VirtualService'>[];
  destinationRules: readonly ConfigObject<'DestinationRule'>[];
  /** Mutual TLS for xDS-enabled servers' inbound listeners. */
  peerAuthentications?: readonly ConfigObject<'PeerAuthentication'>[];
  /** RBAC for xDS-enabled servers' inbound listeners. */
  authorizationPolicies?: readonly ConfigObject<'AuthorizationPolicy'>[];
  /** Interface → host and port (from registrations); MeshService.interfaces is used as well. */
  interfaces?: readonly MeshInterface[];
  /** SPIFFE trust domain of workload identities (default `cluster.local`). */
  trustDomain?: string;
  /** Dubbo's rules: condition and tag routers, dynamic configuration, mesh rules. */
  dubbo?: DubboRules;
}

export interface MeshInterface {
  interface: string;
  hostname: string;
  port: number;
}
