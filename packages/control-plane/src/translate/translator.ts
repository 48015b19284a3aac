// Config + registry (one MeshInput) → Envoy resources for one client, by type and name. Each
// resource is built at most once per input and client context (namespace, locality, labels) and
// reused across clients, so a push to many clients costs one translation. A Snapshot
// (../snapshot/snapshot.ts) hands the resources out, by subscription.
// Istio: grpcgen (LDS/RDS/CDS/EDS for proxyless gRPC), resource names per ../shared/DESIGN.md.
// Envoy sidecars get istiod's sidecar resources from sidecar/sidecar-translator.ts instead
// (endpoints are the same for both).

import {
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
  CLUSTER_TYPE_URL,
  envoy,
  LISTENER_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
} from '@shoal/xds';
import type { ConfigObject } from '../config/config-object.js';
import type { ProxyNode } from '../xds-server/proxy-node.js';
import { upstreamTlsSettings } from './auto-mtls.js';
import { buildCluster } from './build-cluster.js';
import { buildLoadAssignment } from './build-endpoints.js';
import { buildClientListener, buildInboundListener } from './build-listener.js';
import { applicablePolicies, buildRbacFilters } from './build-rbac.js';
import { buildRouteConfiguration } from './build-route-config.js';
import { type BuiltResource, buildResource } from './built-resource.js';
import {
  clusterEndpoints,
  clusterPolicy,
  destinationRulePath,
  outboundClusterNames,
  resolveOutboundCluster,
} from './cluster-target.js';
import type { MeshInput } from './mesh-input.js';
import { explicitMtlsMode } from './peer-authentication.js';
import { parseInboundListenerName, splitHostPort } from './resource-names.js';
import { routeClientKey } from './route-action.js';
import { type ResolvedTarget, ServiceIndex } from './service-index.js';
import { type SidecarOptions, SidecarTranslator } from './sidecar/sidecar-translator.js';

/** The user_agent_name of Shoal's xDS client (its Node), which can serve PERMISSIVE listeners. */
const SHOAL_USER_AGENT = 'shoal-node';

export interface TranslationFailure {
  typeUrl: string;
  name: string;
  error: string;
}

export interface TranslatorOptions {
  onFailure?: (failure: TranslationFailure) => void;
  /** What Envoy sidecars need besides the mesh view (certificates for SDS, the trust domain). */
  sidecar?: SidecarOptions;
}

interface ListenerTarget extends ResolvedTarget {
  domains: string[];
  /** The interface, when the listener is named after one (Dubbo's interface-level discovery). */
  iface?: string;
}

export class Translator {
  readonly index: ServiceIndex;
  readonly #memo = new Map<string, BuiltResource | null>();
  readonly version: string;
  /** Resources that failed to build (left out of every response). */
  readonly failures: TranslationFailure[] = [];

  readonly #peerAuthentications: readonly ConfigObject<'PeerAuthentication'>[];
  readonly #authorizationPolicies: readonly ConfigObject<'AuthorizationPolicy'>[];
  readonly #onFailure: ((failure: TranslationFailure) => void) | undefined;
  readonly #trustDomain: string;
  readonly #sidecar: SidecarTranslator;

  constructor(input: MeshInput, options: TranslatorOptions = {}) {
    this.#onFailure = options.onFailure;
    this.version = input.version;
    this.#peerAuthentications = input.peerAuthentications ?? [];
    this.#authorizationPolicies = input.authorizationPolicies ?? [];
    this.#trustDomain = input.trustDomain ?? 'cluster.local';
    this.index = new ServiceIndex(input);
    this.#sidecar = new SidecarTranslator(
      this.index,
      { peerAuthentications: this.#peerAuthentications, authorizationPolicies: this.#authorizationPolicies },
      { trustDomain: this.#trustDomain, ...options.sidecar },
    );
  }

  /** One resource by name, or undefined when it does not exist. */
  resource(typeUrl: string, name: string, node: ProxyNode): BuiltResource | undefined {
    const key = `${typeUrl}\u0000${this.clientContext(typeUrl, node, name)}\u0000${name}`;
    let built = this.#memo.get(key);
    if (built === undefined) {
      try {
        built = this.#build(typeUrl, name, node) ?? null;
      } catch (err) {
        // A bug or an input the validator let through must not end every client's stream:
        // the resource is left out and the failure kept for the logs.
        const failure = { typeUrl, name, error: String((err as Error)?.message ?? err) };
        this.failures.push(failure);
        this.#onFailure?.(failure);
        built = null;
      }
      this.#memo.set(key, built);
    }
    return built ?? undefined;
  }

  /**
   * Names a wildcard subscription covers: every host:port listener and every cluster; for a
   * sidecar, its listeners and clusters (see SidecarTranslator.wildcardNames).
   */
  wildcardNames(typeUrl: string, node?: ProxyNode): string[] {
    if (node?.kind === 'sidecar') return this.#sidecar.wildcardNames(typeUrl, node);
    const out: string[] = [];
    if (typeUrl === LISTENER_TYPE_URL) {
      for (const s of this.index.services) for (const p of s.ports) out.push(`${s.hostname}:${p.number}`);
      out.push(...this.index.interfaces());
    } else if (typeUrl === CLUSTER_TYPE_URL) {
      out.push(...outboundClusterNames(this.index));
    }
    return out;
  }

  /**
   * The part of a client that resources of one type depend on: clients equal in it get the same
   * resources. `name` narrows it for listeners (only inbound ones depend on workload labels);
   * without one, it covers every name of the type.
   */
  clientContext(typeUrl: string, node: ProxyNode, name?: string): string {
    if (node.kind === 'sidecar' && typeUrl !== CLUSTER_LOAD_ASSIGNMENT_TYPE_URL) {
      return this.#sidecar.context(typeUrl, node);
    }
    let context = node.namespace;
    if (typeUrl === CLUSTER_LOAD_ASSIGNMENT_TYPE_URL) context += `|${node.locality}`;
    // Clusters depend on which LB policies the client reads (client-identity.ts).
    else if (typeUrl === CLUSTER_TYPE_URL) context += `|${node.capabilities.key}`;
    // Inbound listeners (PeerAuthentication, AuthorizationPolicy selectors) and routes
    // (sourceLabels) depend on the workload's labels; inbound ones also on whether a Shoal
    // server (PERMISSIVE's TLS chain) or a gRPC one asks.
    else if (typeUrl === LISTENER_TYPE_URL && (name === undefined || name.includes('/')))
      context += `|${JSON.stringify(node.labels)}|${node.userAgent.startsWith(SHOAL_USER_AGENT)}`;
    // Routes: sourceLabels, and where Dubbo's routers are in force, the consumer.
    else if (typeUrl === ROUTE_CONFIGURATION_TYPE_URL) context += `|${routeClientKey(this.index, node)}`;
    return context;
  }

  #build(typeUrl: string, name: string, node: ProxyNode): BuiltResource | undefined {
    if (node.kind === 'sidecar' && typeUrl !== CLUSTER_LOAD_ASSIGNMENT_TYPE_URL) {
      return this.#sidecar.build(typeUrl, name, node);
    }
    switch (typeUrl) {
      case LISTENER_TYPE_URL:
        return this.#listener(name, node);
      case ROUTE_CONFIGURATION_TYPE_URL:
        return this.#routeConfig(name, node);
      case CLUSTER_TYPE_URL:
        return this.#cluster(name, node);
      case CLUSTER_LOAD_ASSIGNMENT_TYPE_URL:
        return this.#loadAssignment(name, node);
      default:
        return undefined;
    }
  }

  #listener(name: string, node: ProxyNode): BuiltResource | undefined {
    const inbound = parseInboundListenerName(name);
    if (inbound) {
      const mode = explicitMtlsMode(this.#peerAuthentications, node.namespace, node.labels, inbound.port);
      const policies = applicablePolicies(this.#authorizationPolicies, node.namespace, node.labels);
      // Only Shoal servers can serve PERMISSIVE's two chains; gRPC servers get plaintext, as from istiod.
      const permissive = mode === 'PERMISSIVE' && node.userAgent.startsWith(SHOAL_USER_AGENT);
      const listener = buildInboundListener(name, inbound.ip, inbound.port, {
        mtls: mode === 'STRICT' ? 'STRICT' : permissive ? 'PERMISSIVE' : 'DISABLE',
        filters: buildRbacFilters(policies, this.#trustDomain),
      });
      return buildResource(envoy.ListenerSchema, name, listener);
    }
    if (!this.#target(name, node)) return undefined;
    return buildResource(envoy.ListenerSchema, name, buildClientListener(name));
  }

  #routeConfig(name: string, node: ProxyNode): BuiltResource | undefined {
    const target = this.#target(name, node);
    if (!target) return undefined;
    const config = buildRouteConfiguration({
      name,
      domains: target.domains,
      ctx: {
        index: this.index,
        host: target.service.hostname,
        port: target.port,
        clientNamespace: node.namespace,
        clientLabels: node.labels,
        client: node,
        ...(target.iface ? { iface: target.iface } : {}),
      },
    });
    return buildResource(envoy.RouteConfigurationSchema, name, config);
  }

  /** A listener/route name → the service and port it stands for, and the domains it answers to. */
  #target(name: string, node: ProxyNode): ListenerTarget | undefined {
    const byInterface = this.#interfaceTarget(name);
    if (byInterface) return byInterface;
    const resolved = this.index.resolveDialled(name, node.namespace);
    if (!resolved) return undefined;
    const { hostname } = resolved.service;
    const dialled = splitHostPort(name)?.host ?? name;
    const domains = [name, dialled, hostname, `${hostname}:${resolved.port}`];
    return { ...resolved, domains };
  }

  /** `greet.v1.GreeterService` (or with `:port`) → the host serving that interface. */
  #interfaceTarget(name: string): ListenerTarget | undefined {
    const hp = splitHostPort(name);
    const found = hp ? this.index.serviceForInterface(hp.host) : undefined;
    if (!hp || !found) return undefined;
    const { service } = found;
    const port = hp.port ?? found.port ?? service.ports[0]?.number;
    if (port === undefined || !service.ports.some((p) => p.number === port)) return undefined;
    return { service, port, domains: [name, hp.host], iface: hp.host };
  }

  #cluster(name: string, node: ProxyNode): BuiltResource | undefined {
    const target = resolveOutboundCluster(this.index, name, node.namespace);
    if (!target) return undefined;
    const policy = clusterPolicy(this.index, target);
    const tls = upstreamTlsSettings(policy.tls, clusterEndpoints(this.index, target), {
      peerAuthentications: this.#peerAuthentications,
      namespace: target.service.namespace,
      trustDomain: this.#trustDomain,
    });
    const cluster = buildCluster(
      name,
      target.key,
      { ...policy, ...(tls && { tls }) },
      {
        capabilities: node.capabilities,
        configSource: destinationRulePath(target.destinationRule),
      },
    );
    return buildResource(envoy.ClusterSchema, name, cluster);
  }

  #loadAssignment(name: string, node: ProxyNode): BuiltResource | undefined {
    const target = resolveOutboundCluster(this.index, name, node.namespace);
    if (!target) return undefined;
    const endpoints = clusterEndpoints(this.index, target);
    const localityLb = clusterPolicy(this.index, target).loadBalancer?.localityLbSetting;
    const cla = buildLoadAssignment(name, endpoints, {
      clientLocality: node.locality,
      ...(localityLb ? { localityLb } : {}),
    });
    return buildResource(envoy.ClusterLoadAssignmentSchema, name, cla);
  }
}
