// The stored form of a config document: Kubernetes object envelope (apiVersion, kind, metadata)
// around a typed spec. Istio: pkg/config (Config, Meta); Kubernetes: ObjectMeta.

import type {
  ConditionRouteSpec,
  DubboVirtualServiceSpec,
  DynamicConfigSpec,
  TagRouteSpec,
} from '../dubbo/rule-types.js';
import type {
  DestinationRuleSpec,
  ServiceEntrySpec,
  VirtualServiceSpec,
  WorkloadEntrySpec,
} from './networking-types.js';
import type { AuthorizationPolicySpec, PeerAuthenticationSpec } from './security-types.js';

/** An object's Kubernetes metadata: name, namespace, labels, annotations and the store's versions. */
export interface ObjectMeta {
  name: string;
  /** Defaults to `default`. */
  namespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Set by the store: the store version at which this object last changed. */
  resourceVersion?: string;
  /** Set by the store: 1 on create, +1 on each change of spec, labels or annotations. */
  generation?: number;
  creationTimestamp?: string;
}

/** A Kubernetes core/v1 Service, kept for its hosts and ports (the registry reads it). */
export interface KubernetesServiceSpec {
  selector?: Record<string, string>;
  ports?: {
    name?: string;
    port: number;
    targetPort?: number | string;
    protocol?: string;
    appProtocol?: string;
  }[];
  type?: string;
  clusterIP?: string;
}

/** The spec type of each kind (`SpecByKind['VirtualService']`). */
export interface SpecByKind {
  VirtualService: VirtualServiceSpec;
  DestinationRule: DestinationRuleSpec;
  ServiceEntry: ServiceEntrySpec;
  WorkloadEntry: WorkloadEntrySpec;
  PeerAuthentication: PeerAuthenticationSpec;
  AuthorizationPolicy: AuthorizationPolicySpec;
  Service: KubernetesServiceSpec;
  /** Dubbo's condition router (`<key>.condition-router`). */
  ConditionRoute: ConditionRouteSpec;
  /** Dubbo's tag router (`<app>.tag-router`). */
  TagRoute: TagRouteSpec;
  /** Dubbo's dynamic configuration (`<key>.configurators`). */
  DynamicConfig: DynamicConfigSpec;
  /** Dubbo's mesh VirtualService (service.dubbo.apache.org/v1alpha1). */
  DubboVirtualService: DubboVirtualServiceSpec;
  /** Dubbo's mesh DestinationRule: Istio's shape under service.dubbo.apache.org/v1alpha1. */
  DubboDestinationRule: DestinationRuleSpec;
}

/** A kind the config store accepts (Istio's, Gateway API's HTTPRoute, Kubernetes' Service, Dubbo's rules). */
export type ConfigKind = keyof SpecByKind;

/** A config object as Kubernetes writes it: apiVersion, kind, metadata and the spec of its kind. */
export interface ConfigObject<K extends ConfigKind = ConfigKind> {
  apiVersion: string;
  kind: K;
  metadata: ObjectMeta;
  spec: SpecByKind[K];
}

/** A config object of any kind, narrowed by its `kind`. */
export type AnyConfigObject = { [K in ConfigKind]: ConfigObject<K> }[ConfigKind];

/** The API groups and versions accepted for each kind. The first is the one we write back. */
export const KIND_VERSIONS: Readonly<Record<ConfigKind, readonly string[]>> = {
  VirtualService: ['networking.istio.io/v1', 'networking.istio.io/v1beta1', 'networking.istio.io/v1alpha3'],
  DestinationRule: ['networking.istio.io/v1', 'networking.istio.io/v1beta1', 'networking.istio.io/v1alpha3'],
  ServiceEntry: ['networking.istio.io/v1', 'networking.istio.io/v1beta1', 'networking.istio.io/v1alpha3'],
  WorkloadEntry: ['networking.istio.io/v1', 'networking.istio.io/v1beta1', 'networking.istio.io/v1alpha3'],
  PeerAuthentication: ['security.istio.io/v1', 'security.istio.io/v1beta1'],
  AuthorizationPolicy: ['security.istio.io/v1', 'security.istio.io/v1beta1'],
  Service: ['v1'],
  ConditionRoute: ['dubbo.apache.org/v1alpha1', 'dubbo.io/v1alpha1'],
  TagRoute: ['dubbo.apache.org/v1alpha1', 'dubbo.io/v1alpha1'],
  DynamicConfig: ['dubbo.apache.org/v1alpha1', 'dubbo.io/v1alpha1'],
  DubboVirtualService: ['service.dubbo.apache.org/v1alpha1'],
  DubboDestinationRule: ['service.dubbo.apache.org/v1alpha1'],
};

/** Every kind the config store accepts. */
export const CONFIG_KINDS: readonly ConfigKind[] = Object.keys(KIND_VERSIONS) as ConfigKind[];

export const DEFAULT_NAMESPACE = 'default';

export function isConfigKind(kind: unknown): kind is ConfigKind {
  return typeof kind === 'string' && Object.hasOwn(KIND_VERSIONS, kind);
}

/** Accepts the kind's name in any case, and the plural/short names kubectl takes (`vs`, `virtualservices`). */
export function normalizeKind(input: string): ConfigKind | undefined {
  const lower = input.toLowerCase();
  for (const kind of CONFIG_KINDS) {
    const k = kind.toLowerCase();
    if (lower === k || lower === `${k}s` || lower === (KIND_SHORT_NAMES[kind] ?? '')) return kind;
  }
  if (lower === 'authorizationpolicies') return 'AuthorizationPolicy';
  return KIND_ALIASES[lower];
}

const KIND_SHORT_NAMES: Partial<Record<ConfigKind, string>> = {
  VirtualService: 'vs',
  DestinationRule: 'dr',
  ServiceEntry: 'se',
  WorkloadEntry: 'we',
  PeerAuthentication: 'pa',
  AuthorizationPolicy: 'ap',
  Service: 'svc',
  ConditionRoute: 'cr',
  TagRoute: 'tr',
  DynamicConfig: 'dc',
  DubboVirtualService: 'dvs',
  DubboDestinationRule: 'ddr',
};

/** Dubbo's own words for its rules: the suffixes of their names. */
const KIND_ALIASES: Record<string, ConfigKind> = {
  'condition-router': 'ConditionRoute',
  'tag-router': 'TagRoute',
  configurators: 'DynamicConfig',
};

/** `Kind/namespace/name`: the key the store uses and the name errors carry. */
export function objectKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}
