// Resources for an Envoy sidecar (a `sidecar~…` node without the gRPC generator), by type and
// name, from the same mesh view as the proxyless translation and sharing its VirtualService,
// DestinationRule, PeerAuthentication and AuthorizationPolicy translation. The Translator hands a
// sidecar's requests here (endpoints excepted: they are the same for both kinds of client).
// Istio: ConfigGeneratorImpl.BuildListeners/BuildClusters/BuildHTTPRoutes for sidecar proxies.

import { create } from '@bufbuild/protobuf';
import { CLUSTER_TYPE_URL, envoy, LISTENER_TYPE_URL, ROUTE_CONFIGURATION_TYPE_URL } from '@shoal/xds';
import { SECRET_TYPE_URL } from '@shoal/xds/plugins';
import type { ConfigObject } from '../../config/config-object.js';
import { isDubboSubset } from '../../dubbo/dubbo-subsets.js';
import type { ProxyNode } from '../../xds-server/proxy-node.js';
import {
  applicablePolicies,
  buildRbacFilters,
  buildTcpRbacFilters,
  RBAC_FILTER_NAME,
} from '../build-rbac.js';
import { type BuiltResource, buildResource } from '../built-resource.js';
import {
  clusterPolicy,
  destinationRulePath,
  outboundClusterNames,
  resolveOutboundCluster,
} from '../cluster-target.js';
import { mtlsModeFor } from '../peer-authentication.js';
import { clusterName, parseClusterName } from '../resource-names.js';
import { referencedClusters } from '../resource-references.js';
import { routeClientKey } from '../route-action.js';
import type { ServiceIndex } from '../service-index.js';
import { buildVirtualInbound, type InboundPort } from './inbound-listener.js';
import { buildPortListener, buildVirtualOutbound } from './outbound-listeners.js';
import { isHttp, type PortProtocol, portProtocol } from './port-protocol.js';
import {
  buildBlackHoleCluster,
  buildInboundCluster,
  buildInboundPassthroughCluster,
  buildPassthroughCluster,
  buildSidecarOutboundCluster,
} from './sidecar-clusters.js';
import {
  BLACKHOLE_CLUSTER,
  CATCH_ALL_CLUSTERS,
  INBOUND_PASSTHROUGH_CLUSTER,
  inboundClusterName,
  PASSTHROUGH_CLUSTER,
  parsePortListenerName,
  parsePortRouteName,
  portListenerName,
  VIRTUAL_INBOUND,
  VIRTUAL_OUTBOUND,
} from './sidecar-names.js';
import { buildPortRouteConfiguration } from './sidecar-routes.js';
import { buildSecret, SECRET_NAMES, type WorkloadCertificates } from './sidecar-secrets.js';

export interface SidecarOptions {
  /** Certificates for SDS (`default`, `ROOTCA`); without it no secret is served. */
  certificates?: WorkloadCertificates;
  /** The trust domain inbound mTLS accepts peers from (default `cluster.local`). */
  trustDomain?: string;
}

interface PortPlan {
  /** Some service serves HTTP on the port (sniffed ports included). */
  http: boolean;
  /** The cluster other traffic on the port goes to, when a TCP or sniffed service owns it. */
  tcpCluster?: string;
}

export class SidecarTranslator {
  private readonly index: ServiceIndex;
  private readonly peerAuthentications: readonly ConfigObject<'PeerAuthentication'>[];
  private readonly authorizationPolicies: readonly ConfigObject<'AuthorizationPolicy'>[];
  private readonly options: SidecarOptions;
  private ports: Map<number, PortPlan> | undefined;

  constructor(
    index: ServiceIndex,
    security: {
      peerAuthentications: readonly ConfigObject<'PeerAuthentication'>[];
      authorizationPolicies: readonly ConfigObject<'AuthorizationPolicy'>[];
    },
    options: SidecarOptions = {},
  ) {
    this.index = index;
    this.peerAuthentications = security.peerAuthentications;
    this.authorizationPolicies = security.authorizationPolicies;
    this.options = options;
  }

  /** The part of a sidecar that resources of one type depend on (see Translator.clientContext). */
  context(typeUrl: string, node: ProxyNode): string {
    const labels = JSON.stringify(node.labels);
    const routes = routeClientKey(this.index, node);
    switch (typeUrl) {
      case LISTENER_TYPE_URL:
        return `sidecar|${node.namespace}|${labels}|${node.ips.join(',')}`;
      case ROUTE_CONFIGURATION_TYPE_URL:
        return `sidecar|${node.namespace}|${routes}|${node.dnsDomain}`;
      case CLUSTER_TYPE_URL:
        // Wildcard CDS holds the Dubbo subsets the sidecar's routes name (see wildcardNames).
        return `sidecar|${node.namespace}|${node.ips.join(',')}${this.index.dubbo.empty ? '' : `|${routes}|${node.dnsDomain}`}`;
      case SECRET_TYPE_URL:
        // Per node, and per certificate: a renewed one is a new set to push.
        return `sidecar|${node.id}|${this.options.certificates?.(node)?.serial ?? ''}`;
      default:
        return `sidecar|${node.id}`;
    }
  }

  wildcardNames(typeUrl: string, node: ProxyNode): string[] {
    if (typeUrl === LISTENER_TYPE_URL) {
      return [VIRTUAL_OUTBOUND, VIRTUAL_INBOUND, ...[...this.portPlans().keys()].map(portListenerName)];
    }
    if (typeUrl === CLUSTER_TYPE_URL) {
      const inbound = this.workloadPorts(node).map((p) => inboundClusterName(p.targetPort));
      return [
        ...outboundClusterNames(this.index),
        ...inbound,
        ...CATCH_ALL_CLUSTERS,
        ...this.dubboClusters(node),
      ];
    }
    return [];
  }

  /**
   * The Dubbo subsets (`outbound|port|dubbo:…|host`) the sidecar's route configs send to. A proxyless
   * client asks for the clusters its routes name; Envoy takes every cluster from wildcard CDS, so
   * they must be in it.
   */
  private dubboClusters(node: ProxyNode): string[] {
    if (this.index.dubbo.empty) return [];
    const out = new Set<string>();
    for (const [port, plan] of this.portPlans()) {
      const config = plan.http ? buildPortRouteConfiguration(this.index, port, node) : undefined;
      for (const name of config ? referencedClusters(config) : []) {
        if (isDubboSubset(parseClusterName(name)?.subset ?? '')) out.add(name);
      }
    }
    return [...out];
  }

  build(typeUrl: string, name: string, node: ProxyNode): BuiltResource | undefined {
    switch (typeUrl) {
      case LISTENER_TYPE_URL: {
        const listener = this.listener(name, node);
        return listener && buildResource(envoy.ListenerSchema, name, listener);
      }
      case ROUTE_CONFIGURATION_TYPE_URL: {
        const port = parsePortRouteName(name);
        const config =
          port !== undefined && this.portPlans().get(port)?.http
            ? buildPortRouteConfiguration(this.index, port, node)
            : undefined;
        return config && buildResource(envoy.RouteConfigurationSchema, name, config);
      }
      case CLUSTER_TYPE_URL: {
        const cluster = this.cluster(name, node);
        return cluster && buildResource(envoy.ClusterSchema, name, cluster);
      }
      case SECRET_TYPE_URL: {
        const material = SECRET_NAMES.includes(name) ? this.options.certificates?.(node) : undefined;
        const secret = material && buildSecret(name, material);
        return secret && buildResource(envoy.SecretSchema, name, secret);
      }
      default:
        return undefined;
    }
  }

  private listener(name: string, node: ProxyNode): envoy.Listener | undefined {
    if (name === VIRTUAL_OUTBOUND) return buildVirtualOutbound();
    if (name === VIRTUAL_INBOUND) {
      const modeFor = (port: number) =>
        mtlsModeFor(this.peerAuthentications, node.namespace, node.labels, port);
      const policies = applicablePolicies(this.authorizationPolicies, node.namespace, node.labels);
      // istiod names every RBAC filter alike: Envoy, unlike gRPC, accepts repeated names.
      const rbac = buildRbacFilters(policies, this.options.trustDomain).map((f) =>
        create(envoy.HttpFilterSchema, { ...f, name: RBAC_FILTER_NAME }),
      );
      return buildVirtualInbound({
        ports: this.workloadPorts(node).map((p) => ({ ...p, mode: modeFor(p.targetPort) })),
        passthroughMode: modeFor(0),
        rbac,
        tcpRbac: buildTcpRbacFilters(policies, this.options.trustDomain),
        trustDomain: this.options.trustDomain ?? 'cluster.local',
      });
    }
    const port = parsePortListenerName(name);
    const plan = port === undefined ? undefined : this.portPlans().get(port);
    return plan && buildPortListener({ port: port!, ...plan });
  }

  private cluster(name: string, node: ProxyNode): envoy.Cluster | undefined {
    switch (name) {
      case PASSTHROUGH_CLUSTER:
        return buildPassthroughCluster();
      case BLACKHOLE_CLUSTER:
        return buildBlackHoleCluster();
      case INBOUND_PASSTHROUGH_CLUSTER:
        return buildInboundPassthroughCluster();
    }
    const inbound = this.workloadPorts(node).find((p) => inboundClusterName(p.targetPort) === name);
    if (inbound) return buildInboundCluster(inbound.targetPort, inbound.host, inbound.protocol);
    const target = resolveOutboundCluster(this.index, name, node.namespace);
    if (!target) return undefined;
    const configSource = destinationRulePath(target.destinationRule);
    return buildSidecarOutboundCluster(name, target.key, {
      protocol: portProtocol(target.port),
      policy: clusterPolicy(this.index, target),
      ...(configSource ? { configSource } : {}),
    });
  }

  /**
   * The outbound listeners: one per service port number. HTTP wins a port that TCP services
   * share (they are then reached through the passthrough); a TCP or sniffed service alone on a
   * port takes its other traffic, the first by host name when several do.
   */
  private portPlans(): Map<number, PortPlan> {
    if (this.ports) return this.ports;
    const byPort = new Map<number, { host: string; protocol: PortProtocol }[]>();
    const services = [...this.index.services].sort((a, b) => (a.hostname < b.hostname ? -1 : 1));
    for (const s of services) {
      for (const p of s.ports) {
        const list = byPort.get(p.number) ?? [];
        list.push({ host: s.hostname, protocol: portProtocol(p) });
        byPort.set(p.number, list);
      }
    }
    const plans = new Map<number, PortPlan>();
    for (const [port, list] of [...byPort.entries()].sort(([a], [b]) => a - b)) {
      const explicitHttp = list.some((x) => isHttp(x.protocol) && x.protocol !== 'auto');
      const tcpOwner = explicitHttp
        ? undefined
        : list.find((x) => !isHttp(x.protocol) || x.protocol === 'auto');
      plans.set(port, {
        http: list.some((x) => isHttp(x.protocol)),
        ...(tcpOwner ? { tcpCluster: clusterName(tcpOwner.host, port) } : {}),
      });
    }
    this.ports = plans;
    return plans;
  }

  /** The service ports the sidecar's workload serves: endpoints at its addresses, first service per target port. */
  private workloadPorts(node: ProxyNode): Omit<InboundPort, 'mode'>[] {
    const ips = new Set(node.ips);
    const byTarget = new Map<number, Omit<InboundPort, 'mode'>>();
    if (ips.size === 0) return [];
    for (const service of this.index.services) {
      for (const port of service.ports) {
        for (const ep of this.index.endpoints(service.hostname, port.number)) {
          if (!ips.has(ep.address) || byTarget.has(ep.port)) continue;
          byTarget.set(ep.port, {
            targetPort: ep.port,
            servicePort: port.number,
            host: service.hostname,
            protocol: portProtocol(port),
          });
        }
      }
    }
    return [...byTarget.values()].sort((a, b) => a.targetPort - b.targetPort);
  }
}
