// Proof for sidecar resources without an Envoy binary (none is available here): for the
// Bookinfo sample and a stricter variant (PeerAuthentication STRICT, Istio's full-rule
// AuthorizationPolicy, DestinationRule ISTIO_MUTUAL, a gRPC service, a TCP port with RBAC network
// filters, SDS secrets), every resource
// a sidecar gets (1) decodes with Envoy's own protos to the same values, field by field, and
// loses nothing; (2) passes the PGV `validate.rules` of those protos, read from their annotations
// (Envoy's first check of any resource); (3) only names resources the sidecar also gets; and
// (4) for Bookinfo, has the structure istiod gives productpage's sidecar (names, types, filter
// chains, filter order: test/istiod-sidecar-bookinfo.ts). It also checks that a sidecar node is
// served these over a real ADS stream.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { fromBinary } from '@bufbuild/protobuf';
import { anyUnpack } from '@bufbuild/protobuf/wkt';
import {
  CLUSTER_TYPE_URL as CDS,
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL as EDS,
  envoy,
  LISTENER_TYPE_URL as LDS,
  ROUTE_CONFIGURATION_TYPE_URL as RDS,
} from '@shoal/xds';
import { SECRET_TYPE_URL as SDS } from '@shoal/xds/plugins';
import type protobuf from 'protobufjs';
import type { ConfigObject } from '../src/config/config-object.js';
import { loadConfigText } from '../src/config/load-config.js';
import { Snapshot } from '../src/snapshot/snapshot.js';
import { SnapshotCache } from '../src/snapshot/snapshot-cache.js';
import type { BuiltResource } from '../src/translate/built-resource.js';
import type { MeshInput } from '../src/translate/mesh-input.js';
import { resourceReferences } from '../src/translate/resource-references.js';
import { Translator, type TranslatorOptions } from '../src/translate/translator.js';
import { AdsServer } from '../src/xds-server/ads-server.js';
import type { ProxyNode } from '../src/xds-server/proxy-node.js';
import { sotwRequest, sotwStream } from './ads-test-client.js';
import { servedOnLoopback } from './ads-test-fixtures.js';
import { bookinfoInput, greeterService, sidecarNode, TESTDATA, tcpService } from './bookinfo-fixture.js';
import { type EnvoyProtoChecks, envoyProtoChecks } from './envoy-proto-checks.js';
import {
  type ExpectedChain,
  type ExpectedListener,
  ISTIO_PROXY_ONLY_FILTERS,
  ISTIOD_CLUSTERS,
  ISTIOD_LISTENERS,
  ISTIOD_ROUTE_CONFIGS,
} from './istiod-sidecar-bookinfo.js';

const BOOKINFO = [
  'samples-bookinfo-networking-destination-rule-all.yaml',
  'samples-bookinfo-networking-virtual-service-reviews-80-20.yaml',
];
const WILDCARD = { wildcard: true, names: new Set<string>() };
const named = (names: Iterable<string>) => ({ wildcard: false, names: new Set(names) });

/** Everything a sidecar asks for, as Envoy does: wildcard LDS and CDS, then what they name, and SDS. */
function sidecarResources(
  translator: Translator,
  node: ProxyNode,
): { all: BuiltResource[]; snapshot: Snapshot } {
  const snapshot = new Snapshot(translator);
  const listeners = [...snapshot.resources(LDS, WILDCARD, node).resources.values()];
  const routeNames = listeners
    .flatMap(resourceReferences)
    .filter((r) => r.typeUrl === RDS)
    .map((r) => r.name);
  const routes = [...snapshot.resources(RDS, named(routeNames), node).resources.values()];
  const clusters = [...snapshot.resources(CDS, WILDCARD, node).resources.values()];
  const edsNames = clusters
    .flatMap(resourceReferences)
    .filter((r) => r.typeUrl === EDS)
    .map((r) => r.name);
  const endpoints = [...snapshot.resources(EDS, named(edsNames), node).resources.values()];
  const secrets = [...snapshot.resources(SDS, named(['default', 'ROOTCA']), node).resources.values()];
  return { all: [...listeners, ...routes, ...clusters, ...endpoints, ...secrets], snapshot };
}

function strictVariant(): { input: MeshInput; options: TranslatorOptions; node: ProxyNode } {
  const loaded = loadConfigText(
    [
      readFileSync(
        `${TESTDATA}pilot-pkg-security-authz-builder-testdata-http-allow-full-rule-in.yaml`,
        'utf8',
      ),
      readFileSync(`${TESTDATA}tests-testdata-config-peer-authn-strict.yaml`, 'utf8'),
    ].join('\n---\n'),
  );
  assert.deepEqual(loaded.errors, []);
  // The samples are for namespace foo / testns: the sidecar below is httpbin v1 in foo.
  const policies = loaded.objects.filter(
    (o) => o.kind === 'AuthorizationPolicy',
  ) as ConfigObject<'AuthorizationPolicy'>[];
  const strict = (
    loaded.objects.filter((o) => o.kind === 'PeerAuthentication') as ConfigObject<'PeerAuthentication'>[]
  ).map((pa) => ({ ...pa, metadata: { ...pa.metadata, namespace: 'foo' } }));
  const base = bookinfoInput(['samples-bookinfo-networking-destination-rule-all-mtls.yaml']);
  const greeter = greeterService('10.0.0.30');
  // A TCP port on the same workload: its chains carry the RBAC network filters.
  const tcp = tcpService('10.0.0.30');
  return {
    input: {
      ...base,
      services: [...base.services, ...greeter.services, ...tcp.services],
      endpoints: [...base.endpoints, ...greeter.endpoints, ...tcp.endpoints],
      authorizationPolicies: policies,
      peerAuthentications: strict,
    },
    options: {
      sidecar: {
        certificates: () => ({
          certificateChain: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
          privateKey: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n',
          rootCertificates: '-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n',
          serial: '01',
        }),
      },
    },
    node: sidecarNode('10.0.0.30', { app: 'httpbin', version: 'v1' }, 'foo'),
  };
}

describe("sidecar resources against Envoy's protos and istiod's structure", () => {
  let checks: EnvoyProtoChecks;
  let root: protobuf.Root;
  before(async () => {
    checks = await envoyProtoChecks();
    root = checks.loadRealEnvoy();
  });

  const scenarios = () => [
    {
      name: 'Bookinfo, productpage sidecar',
      translator: new Translator(bookinfoInput(BOOKINFO)),
      node: sidecarNode(),
    },
    (() => {
      const v = strictVariant();
      return {
        name: 'STRICT, full-rule AuthorizationPolicy, ISTIO_MUTUAL, gRPC, SDS',
        translator: new Translator(v.input, v.options),
        node: v.node,
      };
    })(),
  ];

  it('every resource decodes with Envoy protos to the same values and loses no field', () => {
    for (const s of scenarios()) {
      const { all } = sidecarResources(s.translator, s.node);
      assert.ok(all.length > 20, `${s.name}: ${all.length} resources`);
      for (const r of all) {
        const type = root.lookupType(r.schema.typeName);
        const decoded = type.decode(r.bytes);
        const diffs = checks.diffAgainstReal(
          r.schema,
          fromBinary(r.schema, r.bytes),
          type.toObject(decoded, checks.TO_OBJECT),
        );
        assert.deepEqual(diffs, [], `${s.name}: ${r.name}`);
        assert.equal(
          type.encode(decoded).finish().length,
          r.bytes.length,
          `${s.name}: ${r.name} re-encodes whole`,
        );
      }
      assert.ok(all.some((r) => r.typeUrl === SDS) || s.name.startsWith('Bookinfo'));
      const tcpRbac = all.some(
        (r) =>
          r.typeUrl === LDS &&
          (r.message as envoy.Listener).filterChains.some((c) =>
            c.filters.some((f) => f.name === 'envoy.filters.network.rbac'),
          ),
      );
      assert.ok(tcpRbac || s.name.startsWith('Bookinfo'), `${s.name}: RBAC network filters checked`);
    }
  });

  it("every resource passes the validate.rules of Envoy's protos, Any values included", () => {
    for (const s of scenarios()) {
      const { all } = sidecarResources(s.translator, s.node);
      const violations = all.flatMap((r) =>
        checks
          .validateWithPgv(root, r.schema.typeName, r.bytes)
          .map((v) => `${r.name}: ${v.path}: ${v.message}`),
      );
      assert.deepEqual(violations, [], s.name);
    }
  });

  it('every resource a sidecar is sent names only resources it is also sent (snapshot consistency)', () => {
    for (const s of scenarios()) {
      const { snapshot } = sidecarResources(s.translator, s.node);
      assert.deepEqual(
        snapshot.inconsistencies.map((i) => i.message),
        [],
        s.name,
      );
      assert.deepEqual(s.translator.failures, [], s.name);
    }
  });

  it("Bookinfo: listeners, chains and filters in istiod's order, without the filters only Istio's Envoy has", () => {
    const { all } = sidecarResources(new Translator(bookinfoInput(BOOKINFO)), sidecarNode());
    const ours = all
      .filter((r) => r.typeUrl === LDS)
      .map((r) => summarizeListener(r.message as envoy.Listener));
    const theirs = ISTIOD_LISTENERS.map(withoutIstioProxyFilters);
    assert.deepEqual(sortByName(ours), sortByName(theirs));
  });

  it("Bookinfo: route config 9080 and its virtual hosts and domains, and the clusters, as istiod's", () => {
    const { all } = sidecarResources(new Translator(bookinfoInput(BOOKINFO)), sidecarNode());
    const routes = all
      .filter((r) => r.typeUrl === RDS)
      .map((r) => {
        const rc = r.message as envoy.RouteConfiguration;
        return {
          name: rc.name,
          ignorePortInHostMatching: rc.ignorePortInHostMatching,
          virtualHosts: rc.virtualHosts.map((v) => ({ name: v.name, domains: v.domains })),
        };
      });
    assert.deepEqual(routes, ISTIOD_ROUTE_CONFIGS);
    const clusters = all
      .filter((r) => r.typeUrl === CDS)
      .map((r) => {
        const c = r.message as envoy.Cluster;
        return { name: c.name, type: envoy.Cluster_DiscoveryType[c.clusterDiscoveryType.value as number] };
      });
    assert.deepEqual(sortByName(clusters), sortByName(ISTIOD_CLUSTERS));
  });
});

describe('a sidecar over ADS', () => {
  const cache = new SnapshotCache(new Snapshot(new Translator(bookinfoInput(BOOKINFO))));
  const conn = servedOnLoopback(new AdsServer({ cache }));

  it('an Envoy node (sidecar~ id, user agent envoy) asking LDS and CDS by wildcard gets the sidecar listeners and clusters', async () => {
    const node = {
      id: 'sidecar~10.0.0.10~productpage-v1-abc.default~default.svc.cluster.local',
      userAgentName: 'envoy',
      metadata: { NAMESPACE: 'default', LABELS: { app: 'productpage', version: 'v1' } },
    };
    const s = sotwStream(conn.client);
    s.send(sotwRequest({ node, typeUrl: LDS }));
    const lds = await s.recv();
    const names = lds.resources.map((a) => fromBinary(envoy.ListenerSchema, a.value).name).sort();
    assert.deepEqual(names, ['0.0.0.0_9080', 'virtualInbound', 'virtualOutbound']);
    s.send(sotwRequest({ typeUrl: CDS }));
    const cds = await s.recv();
    const clusters = cds.resources.map((a) => fromBinary(envoy.ClusterSchema, a.value).name);
    for (const name of [
      'PassthroughCluster',
      'BlackHoleCluster',
      'InboundPassthroughCluster',
      'inbound|9080||',
    ]) {
      assert.ok(clusters.includes(name), name);
    }
    s.send(sotwRequest({ typeUrl: RDS, resourceNames: ['9080'] }));
    const rds = await s.recv();
    assert.equal(fromBinary(envoy.RouteConfigurationSchema, rds.resources[0]!.value).name, '9080');
    s.close();
  });
});

function sortByName<T extends { name: string }>(list: T[]): T[] {
  return [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function withoutIstioProxyFilters(l: ExpectedListener): ExpectedListener {
  const keep = (names: string[]) => names.filter((n) => !ISTIO_PROXY_ONLY_FILTERS.includes(n));
  return {
    ...l,
    chains: l.chains.map((c) => ({
      ...c,
      filters: keep(c.filters),
      ...(c.http ? { http: { route: c.http.route, filters: keep(c.http.filters) } } : {}),
    })),
  };
}

function summarizeListener(l: envoy.Listener): ExpectedListener {
  const socket = l.address?.address.value as envoy.SocketAddress | undefined;
  const out: ExpectedListener = {
    name: l.name,
    address: `${socket?.address}:${socket?.portSpecifier.value}`,
    direction: l.trafficDirection === envoy.TrafficDirection.INBOUND ? 'INBOUND' : 'OUTBOUND',
    listenerFilters: l.listenerFilters.map((f) => f.name),
    chains: [
      ...l.filterChains.map((c) => summarizeChain(c, false)),
      ...(l.defaultFilterChain ? [summarizeChain(l.defaultFilterChain, true)] : []),
    ],
  };
  if (l.useOriginalDst !== undefined) out.useOriginalDst = l.useOriginalDst;
  if (l.bindToPort !== undefined) out.bindToPort = l.bindToPort;
  return out;
}

function summarizeChain(c: envoy.FilterChain, isDefault: boolean): ExpectedChain {
  const m = c.filterChainMatch;
  const match =
    [
      m?.destinationPort !== undefined ? `dst=${m.destinationPort}` : '',
      m?.transportProtocol ?? '',
      m?.applicationProtocols.length ? `alpn=${m.applicationProtocols.join(',')}` : '',
    ]
      .filter(Boolean)
      .join(' ') || '*';
  const out: ExpectedChain = { match, filters: c.filters.map((f) => f.name) };
  if (c.name) out.name = c.name;
  if (c.transportSocket) out.tls = true;
  const hcmFilter = c.filters.find((f) => f.name === 'envoy.filters.network.http_connection_manager');
  const hcm =
    hcmFilter?.configType.value && anyUnpack(hcmFilter.configType.value, envoy.HttpConnectionManagerSchema);
  if (hcm) {
    const route =
      hcm.routeSpecifier.case === 'rds'
        ? hcm.routeSpecifier.value.routeConfigName
        : `inline:${hcm.routeSpecifier.value?.name}`;
    out.http = { route, filters: hcm.httpFilters.map((f) => f.name) };
  }
  if (isDefault) out.isDefault = true;
  return out;
}
