// Plain models of Dubbo's traffic rules, as written in Dubbo's YAML (camelCase, Dubbo's own field
// names). Dubbo: ConditionRouterRule / MultiDestConditionRouterRule (condition router v3.0, v3.1),
// TagRouterRule (tag router), ConfiguratorConfig / ConfigItem (dynamic configuration), and the
// mesh rules VirtualServiceSpec / DestinationRuleSpec of service.dubbo.apache.org/v1alpha1.

/** Fields every Dubbo router rule has (Dubbo: AbstractRouterRule). */
export interface DubboRuleCommon {
  /** `v3.0` (the default when absent) or `v3.1` (condition rules only). */
  configVersion?: string;
  /** `service` (the key is an interface) or `application` (the key is an application name). */
  scope?: 'service' | 'application';
  key?: string;
  /** Default true. */
  enabled?: boolean;
  /** What an empty result does: true fails the call, false (default) ignores the rule. */
  force?: boolean;
  /** Dubbo: evaluate per call rather than from a cache. Shoal always evaluates per call. */
  runtime?: boolean;
  /** Dubbo 3 orders its routers by kind, not by this; kept and shown. */
  priority?: number;
}

/** `configVersion: v3.1`: one `from` and weighted `to` subsets. */
export interface MultiDestCondition {
  from?: { match?: string | null } | null;
  to?: { match?: string | null; weight?: number }[] | null;
}

export interface ConditionRouteSpec extends DubboRuleCommon {
  /** v3.0: `"method=getComment => region=hangzhou"`; v3.1: MultiDestCondition. */
  conditions: (string | MultiDestCondition)[];
}

/** A StringMatch of Dubbo's rules (exact, prefix, regex; mesh rules also `wildcard`, `empty`, `noempty`). */
export interface DubboStringMatch {
  exact?: string;
  prefix?: string;
  regex?: string;
  wildcard?: string;
  empty?: string;
  noempty?: string;
}

/** `{key, value}`: a provider URL parameter (a Shoal label) and how it must match. */
export interface DubboParamMatch {
  key: string;
  value: DubboStringMatch;
}

export interface DubboTag {
  name: string;
  /** v3.0: instances whose parameters match all of these. */
  match?: DubboParamMatch[];
  /** The older form (and Dubbo Admin's): instance addresses (`ip`, `ip:port`, `10.0.0.*`, CIDR). */
  addresses?: string[];
}

export interface TagRouteSpec extends DubboRuleCommon {
  tags: DubboTag[];
}

/** Dubbo: AddressMatch. */
export interface DubboAddressMatch {
  wildcard?: string;
  cird?: string;
  exact?: string;
}

export interface DubboListStringMatch {
  oneof: DubboStringMatch[];
}

/** Dubbo: ConditionMatch of a configurator (`app` in Dubbo's code, `application` in its docs). */
export interface DubboConfigMatch {
  address?: DubboAddressMatch;
  providerAddress?: DubboAddressMatch;
  service?: DubboListStringMatch;
  app?: DubboListStringMatch;
  application?: DubboListStringMatch;
  param?: DubboParamMatch[];
}

export interface DubboConfigItem {
  side?: 'provider' | 'consumer';
  /** Dubbo Admin's item type (`general`, `weight`, `balancing`, `disabled`). */
  type?: string;
  enabled?: boolean;
  addresses?: string[];
  providerAddresses?: string[];
  services?: string[];
  applications?: string[];
  match?: DubboConfigMatch;
  parameters: Record<string, string | number | boolean>;
}

export interface DynamicConfigSpec {
  configVersion?: string;
  scope?: 'service' | 'application';
  key?: string;
  enabled?: boolean;
  configs: DubboConfigItem[];
}

// Mesh rules (service.dubbo.apache.org/v1alpha1).

export interface DubboDoubleMatch {
  exact?: number;
  range?: { start?: number; end?: number };
  mod?: number;
}

export interface DubboMethodArg {
  index: number;
  type?: string;
  str_value?: DubboListStringMatch;
  num_value?: { oneof: DubboDoubleMatch[] };
  bool_value?: { exact?: boolean };
}

export interface DubboMethodMatch {
  name_match?: DubboStringMatch;
  argc?: number;
  args?: DubboMethodArg[];
  argp?: DubboStringMatch[];
  headers?: Record<string, DubboStringMatch>;
}

export interface DubboMatchRequest {
  name?: string;
  method?: DubboMethodMatch;
  sourceLabels?: Record<string, string>;
  attachments?: {
    dubboContext?: Record<string, DubboStringMatch>;
    tracingContext?: Record<string, DubboStringMatch>;
  };
  headers?: Record<string, DubboStringMatch>;
}

export interface DubboDestination {
  host: string;
  subset?: string;
  port?: number;
  fallback?: DubboRouteDestination;
}

export interface DubboRouteDestination {
  destination: DubboDestination;
  weight?: number;
}

export interface DubboRouteDetail {
  name?: string;
  match?: DubboMatchRequest[];
  route: DubboRouteDestination[];
}

export interface DubboRoute {
  name?: string;
  services?: DubboStringMatch[];
  routedetail: DubboRouteDetail[];
}

export interface DubboVirtualServiceSpec {
  hosts: string[];
  dubbo: DubboRoute[];
}
