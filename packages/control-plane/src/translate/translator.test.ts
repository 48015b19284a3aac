import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type envoy, LISTENER_TYPE_URL, ROUTE_CONFIGURATION_TYPE_URL } from '@shoal/xds';
import { bookinfoInput, clientNode, fqdn } from '../../test/bookinfo-fixture.js';
import { proxyNodeOf } from '../xds-server/proxy-node.js';
import { Translator } from './translator.js';

const node = clientNode();
const route = (t: Translator, name: string, n = node) =>
  t.resource(ROUTE_CONFIGURATION_TYPE_URL, name, n)?.message as envoy.RouteConfiguration | undefined;

function onlyRoutes(rc: envoy.RouteConfiguration | undefined): envoy.Route[] {
  assert.ok(rc, 'route configuration exists');
  assert.equal(rc.virtualHosts.length, 1);
  return rc.virtualHosts[0]!.routes;
}

function routeAction(r: envoy.Route | undefined): envoy.RouteAction {
  assert.equal(r?.action.case, 'route');
  return r.action.value as envoy.RouteAction;
}

const DR = 'samples-bookinfo-networking-destination-rule-all.yaml';

describe('translator: routes from the Bookinfo samples', () => {
  it('80/20 split → weighted clusters with subset cluster names', () => {
    const t = new Translator(
      bookinfoInput(['samples-bookinfo-networking-virtual-service-reviews-80-20.yaml', DR]),
    );
    const rc = route(t, 'reviews:9080');
    assert.equal(rc?.name, 'reviews:9080');
    assert.deepEqual(rc?.virtualHosts[0]?.domains, [
      'reviews:9080',
      'reviews',
      fqdn('reviews'),
      `${fqdn('reviews')}:9080`,
    ]);
    const [r] = onlyRoutes(rc);
    assert.equal(r?.match?.pathSpecifier.case, 'prefix');
    assert.equal(r?.match?.pathSpecifier.value, '/');
    const action = routeAction(r);
    assert.equal(action.clusterSpecifier.case, 'weightedClusters');
    const weighted = action.clusterSpecifier.value as envoy.WeightedCluster;
    assert.deepEqual(
      weighted.clusters.map((c) => [c.name, c.weight]),
      [
        [`outbound|9080|v1|${fqdn('reviews')}`, 80],
        [`outbound|9080|v2|${fqdn('reviews')}`, 20],
      ],
    );
  });

  it('header match (jason → v2) then a catch-all to v3', () => {
    const t = new Translator(
      bookinfoInput(['samples-bookinfo-networking-virtual-service-reviews-jason-v2-v3.yaml', DR]),
    );
    const [jason, rest] = onlyRoutes(route(t, 'reviews:9080'));
    const h = jason?.match?.headers[0];
    assert.equal(h?.name, 'end-user');
    // exact_match, not string_match: gRPC before A63 (C-core 1.51) NACKs string_match.
    assert.deepEqual(h?.headerMatchSpecifier, { case: 'exactMatch', value: 'jason' });
    assert.equal(routeAction(jason).clusterSpecifier.value, `outbound|9080|v2|${fqdn('reviews')}`);
    assert.equal(routeAction(rest).clusterSpecifier.value, `outbound|9080|v3|${fqdn('reviews')}`);
    assert.equal(rest?.match?.headers.length, 0);
  });

  it('fault abort and delay → fault filter config on the matching route only', async () => {
    const { fromBinary } = await import('@bufbuild/protobuf');
    const { envoy: e } = await import('@shoal/xds');
    const abort = new Translator(
      bookinfoInput(['samples-bookinfo-networking-virtual-service-ratings-test-abort.yaml', DR]),
    );
    const [withFault, without] = onlyRoutes(route(abort, 'ratings:9080'));
    const any = withFault?.typedPerFilterConfig['envoy.filters.http.fault'];
    assert.equal(any?.typeUrl, 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault');
    const fault = fromBinary(e.HTTPFaultSchema, any!.value);
    assert.deepEqual(fault.abort?.errorType, { case: 'httpStatus', value: 500 });
    assert.equal(fault.abort?.percentage?.numerator, 1_000_000);
    assert.equal(fault.abort?.percentage?.denominator, e.FractionalPercent_DenominatorType.MILLION);
    assert.equal(without?.typedPerFilterConfig['envoy.filters.http.fault'], undefined);

    const delay = new Translator(
      bookinfoInput(['samples-bookinfo-networking-virtual-service-ratings-test-delay.yaml', DR]),
    );
    const [delayed] = onlyRoutes(route(delay, 'ratings:9080'));
    const d = fromBinary(e.HTTPFaultSchema, delayed!.typedPerFilterConfig['envoy.filters.http.fault']!.value);
    assert.equal(d.delay?.faultDelaySecifier.case, 'fixedDelay');
    assert.equal((d.delay!.faultDelaySecifier.value as { seconds: bigint }).seconds, 7n);
  });

  it('no VirtualService → one default route to the host cluster', () => {
    const t = new Translator(bookinfoInput([]));
    const [r] = onlyRoutes(route(t, 'details:9080'));
    assert.equal(routeAction(r).clusterSpecifier.value, `outbound|9080||${fqdn('details')}`);
  });

  it('short names resolve in the client namespace; unknown hosts and ports have no resource', () => {
    const t = new Translator(bookinfoInput([]));
    const other = clientNode('other');
    assert.equal(route(t, 'reviews:9080', other), undefined);
    assert.ok(route(t, 'reviews.default:9080', other));
    assert.ok(route(t, 'reviews.default.svc:9080', other));
    assert.ok(route(t, `${fqdn('reviews')}:9080`, other));
    assert.ok(route(t, 'reviews', node), 'a one-port service can be dialled without a port');
    assert.equal(route(t, 'reviews:9999'), undefined);
    assert.equal(route(t, 'nosuch:9080'), undefined);
  });

  it('timeout, retries and match kinds (uri, method, query, regex, present, without)', () => {
    const input = bookinfoInput([]);
    input.virtualServices = [
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'r', namespace: 'default' },
        spec: {
          hosts: ['ratings'],
          http: [
            {
              match: [
                {
                  uri: { prefix: '/ratings.v1.Ratings/' },
                  method: { exact: 'POST' },
                  queryParams: { debug: {} },
                  headers: { 'X-Tenant': { regex: 'a.*' } },
                  withoutHeaders: { 'x-skip': { exact: '1' } },
                },
                { uri: { exact: '/x' }, port: 9999 },
              ],
              timeout: '1.5s',
              rewrite: { uri: '/ratings.v2.Ratings/' },
              retries: { attempts: 3, perTryTimeout: '200ms', retryOn: 'unavailable' },
              route: [{ destination: { host: 'ratings' } }],
            },
          ],
        },
      },
    ];
    const routes = onlyRoutes(route(new Translator(input), 'ratings:9080'));
    assert.equal(routes.length, 1, 'the match for port 9999 belongs to another listener');
    const m = routes[0]!.match!;
    assert.deepEqual(m.pathSpecifier, { case: 'prefix', value: '/ratings.v1.Ratings/' });
    assert.deepEqual(
      m.headers.map((h) => [h.name, h.headerMatchSpecifier.case, h.invertMatch]),
      [
        ['x-tenant', 'safeRegexMatch', false],
        ['x-skip', 'exactMatch', true],
        [':method', 'exactMatch', false],
      ],
    );
    assert.equal(m.queryParameters[0]?.queryParameterMatchSpecifier.case, 'presentMatch');
    const a = routeAction(routes[0]);
    assert.equal(a.maxStreamDuration?.maxStreamDuration?.seconds, 1n);
    assert.equal(a.maxStreamDuration?.maxStreamDuration?.nanos, 500_000_000);
    assert.equal(a.prefixRewrite, '/ratings.v2.Ratings/');
    assert.equal(a.retryPolicy?.numRetries, 3);
    assert.equal(a.retryPolicy?.retryOn, 'unavailable');
    assert.equal(a.retryPolicy?.perTryTimeout?.nanos, 200_000_000);
  });

  it('consistentHash on the DestinationRule → hash policies on the route', () => {
    const input = bookinfoInput([]);
    const dr = (consistentHash: object) => ({
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule' as const,
      metadata: { name: 'reviews', namespace: 'default' },
      spec: { host: 'reviews', trafficPolicy: { loadBalancer: { consistentHash } } },
    });
    const policies = (hash: object) => {
      input.destinationRules = [dr(hash)];
      return routeAction(onlyRoutes(route(new Translator(input), 'reviews:9080'))[0]).hashPolicy.map(
        (p) => p.policySpecifier,
      );
    };
    assert.deepEqual(
      policies({ httpHeaderName: 'X-User' }).map((p) => [p.case, p.value?.$typeName]),
      [['header', 'envoy.config.route.v3.RouteAction.HashPolicy.Header']],
    );
    assert.equal(
      (policies({ httpHeaderName: 'X-User' })[0]!.value as { headerName: string }).headerName,
      'x-user',
    );
    assert.deepEqual(
      policies({ httpCookie: { name: 'session', ttl: '0s' } }).map((p) => p.case),
      ['cookie', 'header'],
    );
    assert.deepEqual(
      policies({ useSourceIp: true }).map((p) => p.case),
      ['connectionProperties'],
    );
  });
});

describe('translator: listeners', () => {
  it('client listener: api_listener, RDS over ADS named like the listener, fault then router', async () => {
    const { fromBinary } = await import('@bufbuild/protobuf');
    const { envoy: e } = await import('@shoal/xds');
    const t = new Translator(bookinfoInput([]));
    const l = t.resource(LISTENER_TYPE_URL, 'reviews:9080', node)?.message as envoy.Listener;
    assert.equal(l.name, 'reviews:9080');
    const hcm = fromBinary(e.HttpConnectionManagerSchema, l.apiListener!.apiListener!.value);
    assert.equal(hcm.routeSpecifier.case, 'rds');
    const rds = hcm.routeSpecifier.value as envoy.Rds;
    assert.equal(rds.routeConfigName, 'reviews:9080');
    assert.equal(rds.configSource?.configSourceSpecifier.case, 'ads');
    assert.deepEqual(
      hcm.httpFilters.map((f) => f.name),
      ['envoy.filters.http.fault', 'envoy.filters.http.router'],
    );
    assert.equal(t.resource(LISTENER_TYPE_URL, 'nosuch:1', node), undefined);
  });

  it('inbound listener for an xDS server: address, HCM with inline route and non_forwarding_action', async () => {
    const { fromBinary } = await import('@bufbuild/protobuf');
    const { envoy: e } = await import('@shoal/xds');
    const t = new Translator(bookinfoInput([]));
    const name = 'xds.istio.io/grpc/lds/inbound/10.1.0.1:50051';
    const l = t.resource(LISTENER_TYPE_URL, name, node)?.message as envoy.Listener;
    assert.equal(l.name, name);
    assert.equal(l.address?.address.case, 'socketAddress');
    assert.equal((l.address!.address.value as envoy.SocketAddress).address, '10.1.0.1');
    const chain = l.filterChains[0]!;
    const hcm = fromBinary(e.HttpConnectionManagerSchema, chain.filters[0]!.configType.value!.value);
    assert.equal(hcm.routeSpecifier.case, 'routeConfig');
    const rc = hcm.routeSpecifier.value as envoy.RouteConfiguration;
    assert.equal(rc.virtualHosts[0]?.routes[0]?.action.case, 'nonForwardingAction');
    assert.deepEqual(
      hcm.httpFilters.map((f) => f.name),
      ['envoy.filters.http.router'],
    );
    assert.ok(
      t.resource(LISTENER_TYPE_URL, 'custom/template/[::1]:8080', node),
      'a bootstrap template of its own',
    );
  });

  it('interface-level discovery: a listener named after the interface routes to its host', () => {
    const input = bookinfoInput(['samples-bookinfo-networking-virtual-service-reviews-80-20.yaml', DR]);
    input.services = input.services.map((s) =>
      s.hostname === fqdn('reviews') ? { ...s, interfaces: ['bookinfo.v1.ReviewsService'] } : s,
    );
    const t = new Translator(input);
    assert.ok(t.resource(LISTENER_TYPE_URL, 'bookinfo.v1.ReviewsService', node));
    const rc = route(t, 'bookinfo.v1.ReviewsService');
    assert.deepEqual(rc?.virtualHosts[0]?.domains, ['bookinfo.v1.ReviewsService']);
    const action = routeAction(onlyRoutes(rc)[0]);
    assert.equal(action.clusterSpecifier.case, 'weightedClusters');
    assert.ok(t.wildcardNames(LISTENER_TYPE_URL).includes('bookinfo.v1.ReviewsService'));
  });
});

describe('translator: memoization', () => {
  it('builds each resource once per input and client context', () => {
    const t = new Translator(bookinfoInput([DR]));
    const a = t.resource(ROUTE_CONFIGURATION_TYPE_URL, 'reviews:9080', node);
    const b = t.resource(ROUTE_CONFIGURATION_TYPE_URL, 'reviews:9080', clientNode('default'));
    assert.equal(a, b);
    assert.ok(a && a.version.length > 0);
  });
});

describe('translator: failures', () => {
  it('a resource that cannot be built is left out and reported, others still build', () => {
    const input = bookinfoInput([]);
    input.virtualServices = [
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'broken', namespace: 'default' },
        // Not valid Istio (the store would reject it): proves the translator survives it.
        spec: {
          hosts: ['ratings'],
          http: [{ timeout: 'soon', route: [{ destination: { host: 'ratings' } }] }],
        },
      },
    ];
    const t = new Translator(input);
    assert.equal(t.resource(ROUTE_CONFIGURATION_TYPE_URL, 'ratings:9080', node), undefined);
    assert.equal(t.failures.length, 1);
    assert.equal(t.failures[0]?.name, 'ratings:9080');
    assert.match(t.failures[0]?.error ?? '', /invalid duration "soon"/);
    assert.ok(t.resource(ROUTE_CONFIGURATION_TYPE_URL, 'reviews:9080', node));
  });
});

describe('translator: retries', () => {
  const policyOf = (retries: object | undefined) => {
    const input = bookinfoInput([]);
    input.virtualServices = [
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'r', namespace: 'default' },
        spec: {
          hosts: ['ratings'],
          http: [{ ...(retries ? { retries } : {}), route: [{ destination: { host: 'ratings' } }] }],
        },
      },
    ];
    return routeAction(onlyRoutes(route(new Translator(input), 'ratings:9080'))[0]).retryPolicy;
  };

  it("routes without `retries` get Istio's default policy; attempts: 0 turns retries off", () => {
    const d = policyOf(undefined);
    assert.equal(d?.numRetries, 2);
    assert.equal(d?.retryOn, 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes');
    assert.equal(policyOf({ attempts: 0 }), undefined);
    assert.equal(policyOf({ attempts: 5, retryOn: 'cancelled' })?.numRetries, 5);
    const fallback = routeAction(
      onlyRoutes(route(new Translator(bookinfoInput([])), 'details:9080'))[0],
    ).retryPolicy;
    assert.equal(fallback?.numRetries, 2, 'the default route too');
  });
});

describe('translator: matches scoped to the client', () => {
  it('sourceLabels, sourceNamespace and gateways keep a match to the clients it names', () => {
    const input = bookinfoInput(['samples-bookinfo-networking-destination-rule-all.yaml']);
    input.virtualServices = [
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'reviews', namespace: 'default' },
        spec: {
          hosts: ['reviews'],
          http: [
            {
              match: [{ sourceLabels: { app: 'productpage' } }],
              route: [{ destination: { host: 'reviews', subset: 'v2' } }],
            },
            {
              match: [{ sourceNamespace: 'canary' }],
              route: [{ destination: { host: 'reviews.default.svc.cluster.local', subset: 'v3' } }],
            },
            {
              match: [{ gateways: ['ingress'] }],
              route: [{ destination: { host: 'reviews', subset: 'v3' } }],
            },
            { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
          ],
        },
      },
    ];
    const t = new Translator(input);
    const subsets = (n: ReturnType<typeof clientNode>, name = 'reviews:9080') =>
      onlyRoutes(route(t, name, n)).map((r) => String(routeAction(r).clusterSpecifier.value).split('|')[2]);
    const productpage = proxyNodeOf({
      id: 'pp',
      metadata: { NAMESPACE: 'default', LABELS: { app: 'productpage' } },
    });
    assert.deepEqual(subsets(productpage), ['v2', 'v1']);
    assert.deepEqual(subsets(node), ['v1']);
    assert.deepEqual(subsets(clientNode('canary'), 'reviews.default:9080'), ['v3', 'v1']);
  });
});
