// The resources an Envoy sidecar gets, checked piece by piece against istiod's shapes (names,
// chains, filters in order, clusters). The Bookinfo structure test (test/sidecar-bookinfo.test.ts)
// compares the whole set with istiod's output.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anyUnpack } from '@bufbuild/protobuf/wkt';
import { CLUSTER_TYPE_URL, envoy, LISTENER_TYPE_URL, ROUTE_CONFIGURATION_TYPE_URL } from '@shoal/xds';
import { SECRET_TYPE_URL } from '@shoal/xds/plugins';
import {
  bookinfoInput,
  fqdn,
  greeterService,
  sidecarNode,
  tcpService,
} from '../../../test/bookinfo-fixture.js';
import type { ConfigObject } from '../../config/config-object.js';
import { Snapshot } from '../../snapshot/snapshot.js';
import type { MeshInput } from '../mesh-input.js';
import { Translator } from '../translator.js';

const DR = 'samples-bookinfo-networking-destination-rule-all.yaml';
const node = sidecarNode();
const wildcard = { wildcard: true, names: new Set<string>() };

function input(extra: Partial<MeshInput> = {}): MeshInput {
  const base = bookinfoInput(['samples-bookinfo-networking-virtual-service-reviews-80-20.yaml', DR]);
  const greeter = greeterService();
  return {
    ...base,
    services: [...base.services, ...greeter.services],
    endpoints: [...base.endpoints, ...greeter.endpoints],
    ...extra,
  };
}

function get<T>(t: Translator, typeUrl: string, name: string, n = node): T {
  const built = t.resource(typeUrl, name, n);
  assert.ok(built, `${name} exists`);
  return built.message as T;
}

function hcmOf(chain: envoy.FilterChain | undefined): envoy.HttpConnectionManager {
  const f = chain?.filters.find((x) => x.name === 'envoy.filters.network.http_connection_manager');
  assert.ok(f?.configType.case === 'typedConfig');
  const hcm = anyUnpack(f.configType.value, envoy.HttpConnectionManagerSchema);
  assert.ok(hcm);
  return hcm;
}

const portOf = (l: envoy.Listener) =>
  (l.address?.address.value as envoy.SocketAddress | undefined)?.portSpecifier.value;

const filterNames = (hcm: envoy.HttpConnectionManager) => hcm.httpFilters.map((f) => f.name);

function peerAuthentication(
  mode: string,
  portLevel?: Record<string, string>,
): ConfigObject<'PeerAuthentication'> {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name: 'default', namespace: 'default' },
    spec: {
      ...(portLevel ? { selector: { matchLabels: { app: 'productpage' } } } : {}),
      mtls: { mode },
      ...(portLevel
        ? { portLevelMtls: Object.fromEntries(Object.entries(portLevel).map(([p, m]) => [p, { mode: m }])) }
        : {}),
    },
  } as ConfigObject<'PeerAuthentication'>;
}

describe('sidecar translation: listeners', () => {
  it('virtualInbound: TCP chains run the RBAC network filters (DENY, ALLOW) before the TCP proxy, without HTTP-only conditions', () => {
    const policy = (name: string, spec: object) =>
      ({
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: { name, namespace: 'default' },
        spec,
      }) as ConfigObject<'AuthorizationPolicy'>;
    const tcp = tcpService();
    const base = input();
    const t = new Translator({
      ...base,
      services: [...base.services, ...tcp.services],
      endpoints: [...base.endpoints, ...tcp.endpoints],
      authorizationPolicies: [
        policy('allow', {
          rules: [
            { from: [{ source: { principals: ['cluster.local/ns/default/sa/reviews'] } }] },
            { to: [{ operation: { methods: ['GET'] } }] },
          ],
        }),
        policy('deny', {
          action: 'DENY',
          rules: [
            { from: [{ source: { namespaces: ['evil'] } }], to: [{ operation: { paths: ['/admin'] } }] },
          ],
        }),
      ],
    });
    const l = get<envoy.Listener>(t, LISTENER_TYPE_URL, 'virtualInbound');
    const chain = l.filterChains.find((c) => c.name === '0.0.0.0_3306');
    assert.deepEqual(
      chain?.filters.map((f) => f.name),
      ['envoy.filters.network.rbac', 'envoy.filters.network.rbac', 'envoy.filters.network.tcp_proxy'],
    );
    const [deny, allow] = chain!.filters.slice(0, 2).map((f) => {
      const config = anyUnpack(f.configType.value as never, envoy.RbacNetworkFilterSchema);
      assert.equal(config?.statPrefix, 'tcp.');
      return config!.rules!;
    });
    assert.equal(deny?.action, envoy.RBAC_Action.DENY);
    // The path is HTTP-only: the DENY rule keeps its source and denies it on any TCP connection.
    const denied = deny?.policies['ns[default]-policy[deny]-rule[0]'];
    assert.equal(denied?.permissions[0]?.rule.case, 'any');
    assert.equal(denied?.principals[0]?.identifier.case, 'authenticated');
    assert.equal(allow?.action, envoy.RBAC_Action.ALLOW);
    // An ALLOW rule on methods can never match a TCP connection: it is left out (fail closed).
    assert.deepEqual(Object.keys(allow?.policies ?? {}), ['ns[default]-policy[allow]-rule[0]']);
    // The passthrough's TCP chains get them too; the HTTP chains keep both ALLOW rules.
    const passthrough = l.filterChains.find((c) => c.name === 'virtualInbound');
    assert.equal(passthrough?.filters[0]?.name, 'envoy.filters.network.rbac');
    const http = hcmOf(l.filterChains.find((c) => c.name === '0.0.0.0_9080'));
    const httpAllow = anyUnpack(http.httpFilters[1]!.configType.value as never, envoy.RbacFilterSchema);
    assert.equal(Object.keys(httpAllow?.rules?.policies ?? {}).length, 2);
  });

  it('a wildcard LDS request gets virtualOutbound, virtualInbound and one 0.0.0.0_PORT per service port', () => {
    const t = new Translator(input());
    const names = [...new Snapshot(t).resources(LISTENER_TYPE_URL, wildcard, node).resources.keys()];
    assert.deepEqual(names.sort(), ['0.0.0.0_50051', '0.0.0.0_9080', 'virtualInbound', 'virtualOutbound']);
    assert.deepEqual(t.failures, []);
  });

  it('virtualOutbound: 15001, original destination, blackhole for 15001 then passthrough', () => {
    const l = get<envoy.Listener>(new Translator(input()), LISTENER_TYPE_URL, 'virtualOutbound');
    assert.equal(portOf(l), 15001);
    assert.equal(l.useOriginalDst, true);
    assert.equal(l.trafficDirection, envoy.TrafficDirection.OUTBOUND);
    assert.deepEqual(
      l.filterChains.map((c) => [c.name, c.filterChainMatch?.destinationPort, c.filters.map((f) => f.name)]),
      [
        ['virtualOutbound-blackhole', 15001, ['envoy.filters.network.tcp_proxy']],
        ['virtualOutbound-catchall-tcp', undefined, ['envoy.filters.network.tcp_proxy']],
      ],
    );
  });

  it('0.0.0.0_PORT: not bound, HTTP inspector, HTTP chain on http/1.1 and h2c with RDS named after the port', () => {
    const l = get<envoy.Listener>(new Translator(input()), LISTENER_TYPE_URL, '0.0.0.0_50051');
    assert.equal(l.bindToPort, false);
    assert.deepEqual(
      l.listenerFilters.map((f) => f.name),
      ['envoy.filters.listener.http_inspector'],
    );
    const [chain] = l.filterChains;
    assert.equal(chain?.filterChainMatch?.transportProtocol, 'raw_buffer');
    assert.deepEqual(chain?.filterChainMatch?.applicationProtocols, ['http/1.1', 'h2c']);
    const hcm = hcmOf(chain);
    assert.equal(hcm.statPrefix, 'outbound_0.0.0.0_50051;');
    assert.equal(hcm.routeSpecifier.case, 'rds');
    assert.equal(hcm.routeSpecifier.value?.routeConfigName, '50051');
    assert.deepEqual(filterNames(hcm), [
      'envoy.filters.http.grpc_stats',
      'envoy.filters.http.fault',
      'envoy.filters.http.cors',
      'envoy.filters.http.router',
    ]);
    assert.equal(l.defaultFilterChain?.name, 'PassthroughFilterChain');
  });

  it('virtualInbound, PERMISSIVE by default: mTLS (Istio ALPN) and plaintext chains per port, RBAC before the router', () => {
    const allow: ConfigObject<'AuthorizationPolicy'> = {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'pp', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'productpage' } },
        rules: [{ to: [{ operation: { methods: ['GET'] } }] }],
      },
    } as ConfigObject<'AuthorizationPolicy'>;
    const l = get<envoy.Listener>(
      new Translator(input({ authorizationPolicies: [allow] })),
      LISTENER_TYPE_URL,
      'virtualInbound',
    );
    assert.equal(portOf(l), 15006);
    const chains = l.filterChains.map((c) => [
      c.name,
      c.filterChainMatch?.destinationPort,
      c.filterChainMatch?.transportProtocol,
      c.transportSocket ? 'mTLS' : '-',
    ]);
    assert.deepEqual(chains, [
      ['virtualInbound-blackhole', 15006, '', '-'],
      ['virtualInbound-catchall-http', undefined, 'tls', 'mTLS'],
      ['virtualInbound-catchall-http', undefined, 'raw_buffer', '-'],
      ['virtualInbound', undefined, 'tls', 'mTLS'],
      ['virtualInbound', undefined, 'raw_buffer', '-'],
      ['virtualInbound', undefined, 'tls', '-'],
      ['0.0.0.0_9080', 9080, 'tls', 'mTLS'],
      ['0.0.0.0_9080', 9080, 'raw_buffer', '-'],
    ]);
    const port = l.filterChains.find((c) => c.name === '0.0.0.0_9080');
    const hcm = hcmOf(port);
    assert.equal(hcm.statPrefix, 'inbound_0.0.0.0_9080;');
    assert.equal(hcm.routeSpecifier.case, 'routeConfig');
    const rc = hcm.routeSpecifier.value as envoy.RouteConfiguration;
    assert.equal(rc.name, 'inbound|9080||');
    assert.equal(rc.virtualHosts[0]?.name, 'inbound|http|9080');
    const action = rc.virtualHosts[0]?.routes[0]?.action.value as envoy.RouteAction;
    assert.equal(action.clusterSpecifier.value, 'inbound|9080||');
    assert.deepEqual(filterNames(hcm), [
      'envoy.filters.http.rbac',
      'envoy.filters.http.grpc_stats',
      'envoy.filters.http.fault',
      'envoy.filters.http.cors',
      'envoy.filters.http.router',
    ]);
    assert.deepEqual(
      l.listenerFilters.map((f) => f.name),
      [
        'envoy.filters.listener.original_dst',
        'envoy.filters.listener.tls_inspector',
        'envoy.filters.listener.http_inspector',
      ],
    );
    // As istiod computes them: TLS inspection off on 15006, HTTP inspection off on 15006 and 9080
    // (9080's plaintext chain has no ALPN to match).
    const http = l.listenerFilters[2]?.filterDisabled?.rule;
    assert.equal(http?.case, 'orMatch');
  });

  it('STRICT serves only mutual TLS, port-level DISABLE only plaintext', () => {
    const strict = get<envoy.Listener>(
      new Translator(input({ peerAuthentications: [peerAuthentication('STRICT')] })),
      LISTENER_TYPE_URL,
      'virtualInbound',
    );
    const ports = strict.filterChains.filter((c) => c.name === '0.0.0.0_9080');
    assert.deepEqual(
      ports.map((c) => [c.filterChainMatch?.transportProtocol, Boolean(c.transportSocket)]),
      [['tls', true]],
    );
    const tls = anyUnpack(ports[0]!.transportSocket!.configType.value!, envoy.DownstreamTlsContextSchema);
    assert.equal(tls?.requireClientCertificate, true);
    assert.deepEqual(
      tls?.commonTlsContext?.tlsCertificateSdsSecretConfigs.map((s) => s.name),
      ['default'],
    );
    const combined = tls?.commonTlsContext?.validationContextType;
    assert.equal(combined?.case, 'combinedValidationContext');
    assert.equal(combined?.value.validationContextSdsSecretConfig?.name, 'ROOTCA');

    const disabled = get<envoy.Listener>(
      new Translator(input({ peerAuthentications: [peerAuthentication('STRICT', { '9080': 'DISABLE' })] })),
      LISTENER_TYPE_URL,
      'virtualInbound',
    );
    assert.deepEqual(
      disabled.filterChains
        .filter((c) => c.name === '0.0.0.0_9080')
        .map((c) => c.filterChainMatch?.transportProtocol),
      ['raw_buffer'],
    );
  });
});

describe('sidecar translation: routes', () => {
  it('route config 9080: a virtual host per service with istiod domains, VirtualService routes, then allow_any', () => {
    const rc = get<envoy.RouteConfiguration>(new Translator(input()), ROUTE_CONFIGURATION_TYPE_URL, '9080');
    assert.equal(rc.ignorePortInHostMatching, true);
    assert.deepEqual(
      rc.virtualHosts.map((v) => v.name),
      ['details', 'productpage', 'ratings', 'reviews'].map((s) => `${fqdn(s)}:9080`).concat('allow_any'),
    );
    const reviews = rc.virtualHosts.find((v) => v.name === `${fqdn('reviews')}:9080`);
    assert.deepEqual(reviews?.domains, [
      fqdn('reviews'),
      `${fqdn('reviews')}.`,
      'reviews',
      'reviews.default.svc',
      'reviews.default',
    ]);
    const action = reviews?.routes[0]?.action.value as envoy.RouteAction;
    const weighted = action.clusterSpecifier.value as envoy.WeightedCluster;
    assert.deepEqual(
      weighted.clusters.map((c) => [c.name, c.weight]),
      [
        [`outbound|9080|v1|${fqdn('reviews')}`, 80],
        [`outbound|9080|v2|${fqdn('reviews')}`, 20],
      ],
    );
    // No VirtualService timeout: none for Envoy either (its default 15 s would cut streams).
    assert.equal(action.timeout?.seconds, 0n);
    const allowAny = rc.virtualHosts.at(-1)?.routes[0]?.action.value as envoy.RouteAction;
    assert.equal(allowAny.clusterSpecifier.value, 'PassthroughCluster');
  });

  it('a port no HTTP service has gets no route config', () => {
    assert.equal(new Translator(input()).resource(ROUTE_CONFIGURATION_TYPE_URL, '8080', node), undefined);
  });
});

describe('sidecar translation: clusters and secrets', () => {
  it('wildcard CDS: outbound clusters and subsets, inbound|PORT|| of the workload, the three catch-alls', () => {
    const t = new Translator(input());
    const names = [...new Snapshot(t).resources(CLUSTER_TYPE_URL, wildcard, node).resources.keys()];
    for (const name of [
      'BlackHoleCluster',
      'InboundPassthroughCluster',
      'PassthroughCluster',
      'inbound|9080||',
      `outbound|9080||${fqdn('reviews')}`,
      `outbound|9080|v3|${fqdn('reviews')}`,
      `outbound|50051||${fqdn('greeter')}`,
    ]) {
      assert.ok(names.includes(name), name);
    }
    assert.ok(!names.includes('inbound|50051||'), 'the greeter runs elsewhere');
  });

  it('a gRPC port upstream is HTTP/2; an HTTP port is not; auto mTLS to tlsMode=istio endpoints', () => {
    const t = new Translator(input());
    const grpc = get<envoy.Cluster>(t, CLUSTER_TYPE_URL, `outbound|50051||${fqdn('greeter')}`);
    const options =
      grpc.typedExtensionProtocolOptions['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'];
    const parsed = options && anyUnpack(options, envoy.UpstreamHttpProtocolOptionsSchema);
    assert.equal(parsed?.upstreamProtocolOptions.case, 'explicitHttpConfig');
    assert.equal(grpc.lrsServer, undefined);
    assert.deepEqual(
      grpc.transportSocketMatches.map((m) => m.name),
      ['tlsMode-istio', 'tlsMode-disabled'],
    );
    const http = get<envoy.Cluster>(t, CLUSTER_TYPE_URL, `outbound|9080||${fqdn('reviews')}`);
    assert.deepEqual(Object.keys(http.typedExtensionProtocolOptions), []);
  });

  it('inbound and catch-all clusters as istiod builds them', () => {
    const t = new Translator(input());
    const inbound = get<envoy.Cluster>(t, CLUSTER_TYPE_URL, 'inbound|9080||');
    assert.equal(inbound.clusterDiscoveryType.value, envoy.Cluster_DiscoveryType.ORIGINAL_DST);
    assert.equal(inbound.lbPolicy, envoy.Cluster_LbPolicy.CLUSTER_PROVIDED);
    assert.equal(inbound.upstreamBindConfig?.sourceAddress?.address, '127.0.0.6');
    const passthrough = get<envoy.Cluster>(t, CLUSTER_TYPE_URL, 'PassthroughCluster');
    assert.equal(passthrough.clusterDiscoveryType.value, envoy.Cluster_DiscoveryType.ORIGINAL_DST);
    const blackhole = get<envoy.Cluster>(t, CLUSTER_TYPE_URL, 'BlackHoleCluster');
    assert.equal(blackhole.clusterDiscoveryType.value, envoy.Cluster_DiscoveryType.STATIC);
    assert.equal(blackhole.loadAssignment, undefined);
  });

  it('a DestinationRule ISTIO_MUTUAL cluster uses SDS secrets default and ROOTCA with istiod SNI', () => {
    const t = new Translator(bookinfoInput(['samples-bookinfo-networking-destination-rule-all-mtls.yaml']));
    const c = get<envoy.Cluster>(t, CLUSTER_TYPE_URL, `outbound|9080|v1|${fqdn('reviews')}`);
    const tls = anyUnpack(c.transportSocket!.configType.value!, envoy.UpstreamTlsContextSchema);
    assert.equal(tls?.sni, `outbound_.9080_.v1_.${fqdn('reviews')}`);
    assert.deepEqual(tls?.commonTlsContext?.alpnProtocols, ['istio-peer-exchange', 'istio']);
    const sds = tls?.commonTlsContext?.tlsCertificateSdsSecretConfigs[0]?.sdsConfig?.configSourceSpecifier;
    assert.equal(sds?.case, 'apiConfigSource');
    assert.equal(sds?.value.grpcServices[0]?.targetSpecifier.value?.clusterName, 'sds-grpc');
  });

  it('secrets default and ROOTCA come from the certificate source, per node', () => {
    const seen: string[] = [];
    const t = new Translator(input(), {
      sidecar: {
        certificates: (n) => {
          seen.push(n.id);
          return { certificateChain: 'CHAIN', privateKey: 'KEY', rootCertificates: 'ROOT', serial: '01' };
        },
      },
    });
    const workload = get<envoy.Secret>(t, SECRET_TYPE_URL, 'default');
    assert.equal(workload.type.case, 'tlsCertificate');
    assert.equal(
      Buffer.from(workload.type.value.certificateChain?.specifier.value as Uint8Array).toString(),
      'CHAIN',
    );
    const root = get<envoy.Secret>(t, SECRET_TYPE_URL, 'ROOTCA');
    assert.equal(root.type.case, 'validationContext');
    assert.ok(seen.length >= 2 && seen.every((id) => id === node.id), seen.join());
    assert.equal(new Translator(input()).resource(SECRET_TYPE_URL, 'default', node), undefined);
  });

  it('proxyless clients keep their own resources beside sidecars of the same view', () => {
    const t = new Translator(input());
    const sidecar = get<envoy.Cluster>(t, CLUSTER_TYPE_URL, `outbound|50051||${fqdn('greeter')}`);
    const proxyless = get<envoy.Cluster>(
      t,
      CLUSTER_TYPE_URL,
      `outbound|50051||${fqdn('greeter')}`,
      sidecarNode('10.9.9.9', { app: 'x' }),
    );
    assert.equal(sidecar.lrsServer, undefined);
    assert.equal(proxyless.lrsServer, undefined); // also a sidecar
    const grpcClient = { ...node, kind: 'proxyless' as const, id: 'grpc-client' };
    const ours = get<envoy.Cluster>(t, CLUSTER_TYPE_URL, `outbound|50051||${fqdn('greeter')}`, grpcClient);
    assert.equal(ours.lrsServer?.configSourceSpecifier.case, 'self');
    assert.equal(t.resource(LISTENER_TYPE_URL, 'virtualOutbound', grpcClient), undefined);
  });
});
