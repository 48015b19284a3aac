// Route features beyond gRPC's, translated: header operations, rewrites, mirrors, directResponse
// and delegation (Istio's VirtualService fields → Envoy's route fields), each decoded again by
// @shoal/xds as a client would.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anyPack } from '@bufbuild/protobuf/wkt';
import { envoy, ROUTE_CONFIGURATION_TYPE_URL } from '@shoal/xds';
import { decodeRouteConfiguration } from '@shoal/xds/plugins';
import { bookinfoInput, clientNode, fqdn } from '../../test/bookinfo-fixture.js';
import type { HTTPRoute } from '../config/networking-types.js';
import { Translator } from './translator.js';

const DR = 'samples-bookinfo-networking-destination-rule-all.yaml';
const vs = (name: string, hosts: string[], http: HTTPRoute[]) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService' as const,
  metadata: { name, namespace: 'default' },
  spec: { hosts, http },
});

/** The reviews:9080 route configuration for `http`, built and decoded again. */
function translate(...services: ReturnType<typeof vs>[]) {
  const input = bookinfoInput([DR]);
  input.virtualServices = services;
  const built = new Translator(input).resource(ROUTE_CONFIGURATION_TYPE_URL, 'reviews:9080', clientNode());
  const rc = built?.message as envoy.RouteConfiguration;
  const decoded = decodeRouteConfiguration(anyPack(envoy.RouteConfigurationSchema, rc));
  assert.ok(decoded.ok, decoded.ok ? '' : decoded.errors.join('\n'));
  return { routes: rc.virtualHosts[0]!.routes, decoded: decoded.value.virtualHosts[0]!.routes };
}

const cluster = (subset: string) => `outbound|9080|${subset}|${fqdn('reviews')}`;

describe('translator: header operations, rewrites, mirrors, directResponse, delegate', () => {
  it('headers: set overwrites, add appends, remove; a weighted destination’s go on its cluster; host is a rewrite', () => {
    const { decoded } = translate(
      vs(
        'reviews',
        ['reviews'],
        [
          {
            headers: {
              request: { set: { 'X-Tenant': 'acme', host: 'reviews.internal' }, remove: ['x-debug'] },
            },
            route: [
              {
                destination: { host: 'reviews', subset: 'v1' },
                headers: { response: { add: { 'x-v': '1' } } },
              },
            ],
          },
          {
            route: [
              {
                destination: { host: 'reviews', subset: 'v1' },
                weight: 50,
                headers: { request: { set: { 'x-w': 'a' } } },
              },
              { destination: { host: 'reviews', subset: 'v2' }, weight: 50 },
            ],
          },
        ],
      ),
    );
    const [single, weighted] = decoded;
    assert.deepEqual(single!.headers, {
      request: {
        remove: ['x-debug'],
        add: [{ name: 'x-tenant', value: 'acme', append: 'overwrite', keepEmptyValue: false }],
      },
      response: { remove: [], add: [{ name: 'x-v', value: '1', append: 'append', keepEmptyValue: false }] },
    });
    assert.ok(single!.action.kind === 'route');
    assert.equal(single!.action.hostRewrite, 'reviews.internal');
    assert.ok(weighted!.action.kind === 'route');
    assert.deepEqual(weighted!.action.clusters[0]!.headers.request?.add[0]?.name, 'x-w');
    assert.deepEqual(weighted!.action.clusters[1]!.headers, {});
  });

  it('rewrite: uri → prefix_rewrite, uriRegexRewrite → regex_rewrite, authority → host_rewrite_literal', () => {
    const { decoded } = translate(
      vs(
        'reviews',
        ['reviews'],
        [
          {
            match: [{ uri: { prefix: '/reviews.v1.' } }],
            rewrite: { uri: '/reviews.v2.', authority: 'reviews-v2' },
            route: [{ destination: { host: 'reviews' } }],
          },
          {
            rewrite: { uriRegexRewrite: { match: '^/old\\.(.*)$', rewrite: '/new.\\1' } },
            route: [{ destination: { host: 'reviews' } }],
          },
        ],
      ),
    );
    const [a, b] = decoded.map((r) => r.action);
    assert.ok(a?.kind === 'route' && b?.kind === 'route');
    assert.equal(a.prefixRewrite, '/reviews.v2.');
    assert.equal(a.hostRewrite, 'reviews-v2');
    assert.deepEqual(b.regexRewrite, { pattern: '^/old\\.(.*)$', substitution: '/new.\\1' });
  });

  it('mirror with mirrorPercentage, and mirrors each with its own; none set mirrors every call', () => {
    const { routes, decoded } = translate(
      vs(
        'reviews',
        ['reviews'],
        [
          {
            match: [{ headers: { a: { exact: '1' } } }],
            route: [{ destination: { host: 'reviews', subset: 'v1' } }],
            mirror: { host: 'reviews', subset: 'v2' },
            mirrorPercentage: { value: 12.5 },
          },
          {
            route: [{ destination: { host: 'reviews', subset: 'v1' } }],
            mirrors: [
              { destination: { host: 'reviews', subset: 'v2' } },
              { destination: { host: 'reviews', subset: 'v3' }, percentage: { value: 1 } },
            ],
          },
        ],
      ),
    );
    const mirrors = decoded.map((r) => (r.action.kind === 'route' ? r.action.mirrors : []));
    assert.deepEqual(mirrors, [
      [{ cluster: cluster('v2'), perMillion: 125_000 }],
      [
        { cluster: cluster('v2'), perMillion: 1_000_000 },
        { cluster: cluster('v3'), perMillion: 10_000 },
      ],
    ]);
    assert.equal(routes.length, 2);
  });

  it('directResponse: a 100% abort of its status on the host’s own cluster, which every gRPC client honours', () => {
    const { routes, decoded } = translate(
      vs(
        'reviews',
        ['reviews'],
        [{ match: [{ headers: { u: { exact: 'x' } } }], directResponse: { status: 403 } }],
      ),
    );
    assert.equal(routes[0]!.action.case, 'route');
    const action = decoded[0]!.action;
    assert.ok(action.kind === 'route');
    assert.deepEqual(
      action.clusters.map((c) => c.name),
      [`outbound|9080||${fqdn('reviews')}`],
    );
    const fault = decoded[0]!.filterOverrides['envoy.filters.http.fault'];
    assert.ok(fault);
    assert.deepEqual((fault.config as { abort?: unknown }).abort, {
      grpcCode: 7, // HTTP 403 → PERMISSION_DENIED
      fromHeader: false,
      percentage: { perMillion: 1_000_000, denominator: 1_000_000 },
    });
  });

  it('delegate: the delegate’s routes under the root’s match; contradicting pairs and missing delegates give none', () => {
    const root = vs(
      'reviews',
      ['reviews'],
      [
        {
          match: [{ uri: { prefix: '/reviews.' }, headers: { u: { exact: 'j' } } }],
          delegate: { name: 'rv' },
        },
        { delegate: { name: 'missing' } },
        { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
      ],
    );
    const delegate = vs(
      'rv',
      [],
      [
        {
          match: [{ uri: { exact: '/reviews.Reviews/Get' } }],
          route: [{ destination: { host: 'reviews', subset: 'v2' } }],
        },
        {
          match: [{ uri: { prefix: '/other.' } }],
          route: [{ destination: { host: 'reviews', subset: 'v3' } }],
        },
        {
          match: [{ headers: { u: { exact: 'k' } } }],
          route: [{ destination: { host: 'reviews', subset: 'v3' } }],
        },
        { route: [{ destination: { host: 'reviews', subset: 'v3' } }] },
      ],
    );
    const { routes } = translate(root, delegate);
    const summary = routes.map((r) => [
      r.name,
      r.match?.pathSpecifier.value,
      r.match?.headers.map((h) => h.name).join(','),
      (r.action.value as envoy.RouteAction).clusterSpecifier.value,
    ]);
    assert.deepEqual(summary, [
      ['rv.0', '/reviews.Reviews/Get', 'u', cluster('v2')],
      ['rv.3', '/reviews.', 'u', cluster('v3')],
      ['reviews.2', '/', '', cluster('v1')],
    ]);
  });
});
