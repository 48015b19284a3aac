import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create, type MessageInitShape, toBinary } from '@bufbuild/protobuf';
import { type Any, anyPack, durationFromMs } from '@bufbuild/protobuf/wkt';
import * as envoy from '../envoy.js';
import { ROUTE_CONFIGURATION_TYPE_URL } from '../type-urls.js';
import type { DecodeResult } from './decode-result.js';
import {
  decodeRouteConfiguration,
  referencedClusters,
  type XdsRouteConfiguration,
} from './route-configuration.js';

type RouteInit = MessageInitShape<typeof envoy.RouteSchema>;

interface VirtualHostExtra {
  retryPolicy?: MessageInitShape<typeof envoy.RetryPolicySchema>;
  typedPerFilterConfig?: Record<string, Any>;
}

function rc(routes: RouteInit[], extra: VirtualHostExtra = {}) {
  return create(envoy.RouteConfigurationSchema, {
    name: 'greeter:50051',
    virtualHosts: [{ name: 'vh', domains: ['greeter:50051', 'greeter'], routes, ...extra }],
  });
}

function decode(init: ReturnType<typeof rc>): DecodeResult<XdsRouteConfiguration> {
  return decodeRouteConfiguration(anyPack(envoy.RouteConfigurationSchema, init));
}

function ok(init: ReturnType<typeof rc>): XdsRouteConfiguration {
  const r = decode(init);
  assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
  return r.value;
}

function errors(init: ReturnType<typeof rc>): readonly string[] {
  const r = decode(init);
  assert.equal(r.ok, false, 'expected errors');
  return r.ok ? [] : r.errors;
}

const toCluster = (cluster: string): RouteInit['action'] => ({
  case: 'route',
  value: { clusterSpecifier: { case: 'cluster', value: cluster } },
});

const faultAny = (init: MessageInitShape<typeof envoy.HTTPFaultSchema>) =>
  anyPack(envoy.HTTPFaultSchema, create(envoy.HTTPFaultSchema, init));

describe('decodeRouteConfiguration', () => {
  it('decodes matches, weighted clusters, timeouts, retries, hash policies and overrides', () => {
    const value = ok(
      rc(
        [
          {
            name: 'canary',
            match: {
              pathSpecifier: { case: 'prefix', value: '/greet.v1.Greeter/' },
              caseSensitive: false,
              headers: [
                { name: 'End-User', headerMatchSpecifier: { case: 'exactMatch', value: 'jason' } },
                {
                  name: 'x-tier',
                  headerMatchSpecifier: {
                    case: 'stringMatch',
                    value: { matchPattern: { case: 'safeRegex', value: { regex: 'gold|silver' } } },
                  },
                  invertMatch: true,
                },
                { name: 'x-n', headerMatchSpecifier: { case: 'rangeMatch', value: { start: 1n, end: 10n } } },
                { name: 'x-p', headerMatchSpecifier: { case: 'presentMatch', value: true } },
              ],
              runtimeFraction: { defaultValue: { numerator: 25, denominator: 0 } },
            },
            action: {
              case: 'route',
              value: {
                clusterSpecifier: {
                  case: 'weightedClusters',
                  value: {
                    clusters: [
                      { name: 'outbound|50051|v1|greeter', weight: 80 },
                      { name: 'outbound|50051|v2|greeter', weight: 20 },
                      { name: 'outbound|50051|v3|greeter', weight: 0 },
                    ],
                  },
                },
                timeout: durationFromMs(3000),
                maxStreamDuration: {
                  maxStreamDuration: durationFromMs(1500),
                  grpcTimeoutHeaderMax: durationFromMs(2000),
                },
                retryPolicy: {
                  retryOn: 'unavailable,cancelled,5xx,unavailable',
                  numRetries: 3,
                  retryBackOff: { baseInterval: durationFromMs(10) },
                },
                hashPolicy: [
                  { policySpecifier: { case: 'header', value: { headerName: 'X-User' } }, terminal: true },
                  { policySpecifier: { case: 'filterState', value: { key: 'io.grpc.channel_id' } } },
                  { policySpecifier: { case: 'cookie', value: { name: 'c' } } },
                ],
              },
            },
            typedPerFilterConfig: {
              'envoy.filters.http.fault': faultAny({
                abort: { errorType: { case: 'httpStatus', value: 503 }, percentage: { numerator: 50 } },
              }),
            },
          },
          { match: { pathSpecifier: { case: 'path', value: '/a/B' } }, action: toCluster('c2') },
          {
            match: { pathSpecifier: { case: 'safeRegex', value: { regex: '/x/(?P<m>.*)' } } },
            action: toCluster('c3'),
          },
          {
            match: { pathSpecifier: { case: 'prefix', value: '' } },
            action: { case: 'nonForwardingAction', value: {} },
          },
          {
            match: { pathSpecifier: { case: 'prefix', value: '' } },
            action: { case: 'redirect', value: {} },
          },
        ],
        { retryPolicy: { retryOn: 'internal' } },
      ),
    );
    assert.equal(value.name, 'greeter:50051');
    // Plain data: survives JSON unchanged (no protobuf classes, bigints or undefined holes).
    assert.deepEqual(JSON.parse(JSON.stringify(value)), value);
    const vh = value.virtualHosts[0]!;
    assert.deepEqual(vh.domains, ['greeter:50051', 'greeter']);
    assert.deepEqual(vh.retryPolicy, {
      retryOn: [13],
      maxAttempts: 2,
      baseBackoffMs: 25,
      maxBackoffMs: 250,
      ignoredConditions: [],
      unknownConditions: [],
    });
    const [canary, exact, regex, nonForwarding, redirect] = vh.routes;
    assert.equal(canary?.name, 'canary');
    assert.deepEqual(canary?.match.path, { kind: 'prefix', prefix: '/greet.v1.Greeter/' });
    assert.equal(canary?.match.caseSensitive, false);
    assert.equal(canary?.match.fractionPerMillion, 250_000);
    assert.deepEqual(
      canary?.match.headers.map((h) => [h.name, h.match.kind, h.invert]),
      [
        ['end-user', 'string', false],
        ['x-tier', 'string', true],
        ['x-n', 'range', false],
        ['x-p', 'present', false],
      ],
    );
    assert.deepEqual(canary?.match.headers[2]?.match, { kind: 'range', start: 1, end: 10 });
    assert.ok(canary?.action.kind === 'route');
    assert.deepEqual(
      canary.action.clusters.map((c) => [c.name, c.weight]),
      [
        ['outbound|50051|v1|greeter', 80],
        ['outbound|50051|v2|greeter', 20],
      ],
    );
    assert.equal(canary.action.totalWeight, 100);
    assert.equal(canary.action.timeoutMs, 3000);
    assert.equal(canary.action.maxStreamDurationMs, 1500);
    assert.equal(canary.action.grpcTimeoutHeaderMaxMs, 2000);
    assert.deepEqual(canary.action.retryPolicy, {
      retryOn: [14, 1],
      maxAttempts: 4,
      baseBackoffMs: 10,
      maxBackoffMs: 100,
      ignoredConditions: ['5xx'],
      unknownConditions: [],
    });
    assert.deepEqual(canary.action.hashPolicies, [
      { kind: 'header', header: 'x-user', terminal: true },
      { kind: 'channel_id', terminal: false },
    ]);
    const fault = canary.filterOverrides['envoy.filters.http.fault'];
    assert.deepEqual(fault?.config, {
      abort: { grpcCode: 14, fromHeader: false, percentage: { perMillion: 500_000, denominator: 100 } },
      headers: [],
    });
    assert.deepEqual(exact?.match.path, { kind: 'path', path: '/a/B' });
    assert.equal(exact?.match.caseSensitive, true);
    assert.deepEqual(regex?.match.path, { kind: 'safe_regex', regex: '/x/(?P<m>.*)' });
    assert.deepEqual(nonForwarding?.action, { kind: 'non_forwarding' });
    assert.deepEqual(redirect?.action, { kind: 'unsupported', action: 'redirect' });
    assert.deepEqual([...referencedClusters(value)].sort(), [
      'c2',
      'c3',
      'outbound|50051|v1|greeter',
      'outbound|50051|v2|greeter',
    ]);
  });

  it('drops a retry policy that names no gRPC code (A44)', () => {
    const value = ok(
      rc([
        {
          match: { pathSpecifier: { case: 'prefix', value: '/' } },
          action: {
            case: 'route',
            value: {
              clusterSpecifier: { case: 'cluster', value: 'c' },
              retryPolicy: { retryOn: '5xx,reset' },
            },
          },
        },
      ]),
    );
    const action = value.virtualHosts[0]?.routes[0]?.action;
    assert.ok(action?.kind === 'route');
    assert.equal(action.retryPolicy, undefined);
  });

  it('accepts bytes as well as an Any, and skips cluster_header routes as gRPC does', () => {
    const msg = rc([
      {
        match: { pathSpecifier: { case: 'prefix', value: '/' } },
        action: { case: 'route', value: { clusterSpecifier: { case: 'clusterHeader', value: 'x-cluster' } } },
      },
      { match: { pathSpecifier: { case: 'prefix', value: '/' } }, action: toCluster('c') },
    ]);
    const r = decodeRouteConfiguration(toBinary(envoy.RouteConfigurationSchema, msg));
    assert.ok(r.ok);
    assert.equal(r.value.virtualHosts[0]?.routes.length, 1);
  });

  it('reads a header hash policy’s regex_rewrite, and names bad hash policies (A42)', () => {
    const hashed = (hashPolicy: MessageInitShape<typeof envoy.RouteAction_HashPolicySchema>[]) =>
      rc([
        {
          match: { pathSpecifier: { case: 'prefix', value: '/' } },
          action: { case: 'route', value: { clusterSpecifier: { case: 'cluster', value: 'c' }, hashPolicy } },
        },
      ]);
    const header = (headerName: string, regex?: string) => ({
      policySpecifier: {
        case: 'header' as const,
        value: {
          headerName,
          ...(regex !== undefined && { regexRewrite: { pattern: { regex }, substitution: '\\1' } }),
        },
      },
    });
    const action = ok(hashed([header('X-Session', '^s-(\\d+)-.*$')])).virtualHosts[0]?.routes[0]?.action;
    assert.ok(action?.kind === 'route');
    assert.deepEqual(action.hashPolicies, [
      {
        kind: 'header',
        header: 'x-session',
        regexRewrite: { pattern: '^s-(\\d+)-.*$', substitution: '\\1' },
        terminal: false,
      },
    ]);
    const p = 'virtual_hosts[0].routes[0].route.hash_policy';
    assert.deepEqual(errors(hashed([header(''), header('a', '(')])), [
      `${p}[0].header.header_name: must not be empty`,
      `${p}[1].header.regex_rewrite.pattern.regex: invalid regex "(": Invalid regular expression: /(/g: Unterminated group`,
    ]);
  });

  it('reports every error with its field path', () => {
    const errs = errors(
      rc([
        { match: { pathSpecifier: { case: 'prefix', value: '/' } } },
        { action: toCluster('c') },
        {
          match: {
            pathSpecifier: { case: 'safeRegex', value: { regex: '(' } },
            headers: [
              { name: '', headerMatchSpecifier: { case: 'presentMatch', value: true } },
              { name: 'a' },
              { name: 'b', headerMatchSpecifier: { case: 'rangeMatch', value: { start: 5n, end: 5n } } },
            ],
          },
          action: toCluster(''),
        },
        {
          match: { pathSpecifier: { case: 'prefix', value: '/' } },
          action: {
            case: 'route',
            value: {
              clusterSpecifier: { case: 'weightedClusters', value: { clusters: [{ name: 'a', weight: 0 }] } },
              retryPolicy: { numRetries: 0, retryBackOff: { baseInterval: durationFromMs(0) } },
              maxStreamDuration: { maxStreamDuration: { seconds: -1n } },
            },
          },
          typedPerFilterConfig: {
            'envoy.filters.http.router': anyPack(envoy.RouterSchema, create(envoy.RouterSchema)),
          },
        },
      ]),
    );
    const p = 'virtual_hosts[0].routes';
    assert.deepEqual(errs, [
      `${p}[0]: action is required (route or non_forwarding_action)`,
      `${p}[1].match: match is required`,
      `${p}[2].match.safe_regex.regex: invalid regex "(": Invalid regular expression: /^(?:()$/: Unterminated group`,
      `${p}[2].match.headers[0].name: must not be empty`,
      `${p}[2].match.headers[1]: header_match_specifier is required`,
      `${p}[2].match.headers[2].range_match: start 5 must be below end 5`,
      `${p}[2].route.cluster: must not be empty`,
      `${p}[3].route.weighted_clusters.clusters: the sum of weights must be greater than 0`,
      `${p}[3].route.max_stream_duration.max_stream_duration: duration must not be negative`,
      `${p}[3].route.retry_policy.num_retries: must be at least 1`,
      `${p}[3].route.retry_policy.retry_back_off.base_interval: must be greater than 0`,
      `${p}[3].typed_per_filter_config[envoy.filters.http.router]: unsupported filter config override type.googleapis.com/envoy.extensions.filters.http.router.v3.Router`,
    ]);
  });

  it('rejects bad domains and duplicates across virtual hosts, and a missing name', () => {
    const msg = create(envoy.RouteConfigurationSchema, {
      virtualHosts: [
        { domains: ['a.*.com', 'x'], routes: [] },
        { domains: ['X', ''], routes: [] },
        { domains: [], routes: [] },
      ],
    });
    const r = decodeRouteConfiguration(anyPack(envoy.RouteConfigurationSchema, msg));
    assert.equal(r.ok, false);
    assert.deepEqual(r.ok ? [] : r.errors, [
      'virtual_hosts[0].domains[0]: "a.*.com": a wildcard may only be the first or last character',
      'virtual_hosts[1].domains[0]: domain "X" is also in virtual_hosts[0]',
      'virtual_hosts[1].domains[1]: must not be empty',
      'virtual_hosts[2].domains: at least one domain is required',
      'name: must not be empty',
    ]);
  });

  it('accepts optional unknown filter overrides wrapped in FilterConfig and rejects required ones', () => {
    const unknown = anyPack(envoy.LocalitySchema, create(envoy.LocalitySchema));
    const wrap = (isOptional: boolean) =>
      anyPack(envoy.FilterConfigSchema, create(envoy.FilterConfigSchema, { config: unknown, isOptional }));
    const good = ok(
      rc([{ match: { pathSpecifier: { case: 'prefix', value: '/' } }, action: toCluster('c') }], {
        typedPerFilterConfig: { opt: wrap(true) },
      }),
    );
    assert.deepEqual(good.virtualHosts[0]?.filterOverrides, {});
    assert.deepEqual(
      errors(
        rc([{ match: { pathSpecifier: { case: 'prefix', value: '/' } }, action: toCluster('c') }], {
          typedPerFilterConfig: { req: wrap(false) },
        }),
      ),
      [
        'virtual_hosts[0].typed_per_filter_config[req]: unsupported filter config override type.googleapis.com/envoy.config.core.v3.Locality',
      ],
    );
  });

  it('decodes header mutations, rewrites, mirrors and direct responses, and names bad ones', () => {
    const A = envoy.HeaderValueOption_HeaderAppendAction;
    const v = ok(
      rc([
        {
          match: { pathSpecifier: { case: 'prefix', value: '/a.' } },
          requestHeadersToAdd: [
            { header: { key: 'X-A', value: '1' }, append: false },
            { header: { key: 'x-b', value: '2' }, appendAction: A.ADD_IF_ABSENT },
          ],
          responseHeadersToRemove: ['x-c'],
          action: {
            case: 'route',
            value: {
              clusterSpecifier: { case: 'cluster', value: 'c' },
              prefixRewrite: '/b.',
              hostRewriteSpecifier: { case: 'hostRewriteLiteral', value: 'b.example' },
              requestMirrorPolicies: [
                { cluster: 'm', runtimeFraction: { defaultValue: { numerator: 5, denominator: 0 } } },
              ],
            },
          },
        },
        {
          match: { pathSpecifier: { case: 'prefix', value: '/' } },
          action: { case: 'directResponse', value: { status: 503 } },
        },
      ]),
    );
    const [r0, r1] = v.virtualHosts[0]!.routes;
    assert.deepEqual(
      r0!.headers.request?.add.map((a) => [a.name, a.append]),
      [
        ['x-a', 'overwrite'],
        ['x-b', 'add_if_absent'],
      ],
    );
    assert.deepEqual(r0!.headers.response, { remove: ['x-c'], add: [] });
    assert.ok(r0!.action.kind === 'route');
    assert.equal(r0!.action.prefixRewrite, '/b.');
    assert.equal(r0!.action.hostRewrite, 'b.example');
    assert.deepEqual(r0!.action.mirrors, [{ cluster: 'm', perMillion: 50_000 }]);
    assert.deepEqual(r1!.action, { kind: 'direct_response', status: 503 });
    assert.deepEqual([...referencedClusters(v)], ['c', 'm']);
    const bad = errors(
      rc([
        {
          match: { pathSpecifier: { case: 'prefix', value: '/' } },
          requestHeadersToAdd: [{ header: { key: ':path', value: '/x' } }],
          requestHeadersToRemove: ['host'],
          action: {
            case: 'route',
            value: {
              clusterSpecifier: { case: 'cluster', value: 'c' },
              prefixRewrite: '/x',
              regexRewrite: { pattern: { regex: '(?=a)' }, substitution: '' },
              requestMirrorPolicies: [{ clusterHeader: 'x-mirror' }],
            },
          },
        },
        {
          match: { pathSpecifier: { case: 'prefix', value: '/' } },
          action: { case: 'directResponse', value: { status: 99 } },
        },
      ]),
    );
    for (const want of [
      /routes\[0\]\.request_headers_to_add\[0\]\.header\.key: ":path": pseudo-headers and host cannot be modified/,
      /routes\[0\]\.request_headers_to_remove\[0\]: "host"/,
      /routes\[0\]\.route\.regex_rewrite: only one of prefix_rewrite and regex_rewrite/,
      /routes\[0\]\.route\.regex_rewrite\.pattern\.regex: look-around/,
      /routes\[0\]\.route\.request_mirror_policies\[0\]\.cluster: cluster_header is not supported/,
      /routes\[1\]\.direct_response\.status: 99 is not in \[200, 600\)/,
    ])
      assert.ok(
        bad.some((e) => want.test(e)),
        `${want} in\n${bad.join('\n')}`,
      );
  });

  it('fails cleanly on a wrong type URL or garbage bytes', () => {
    const wrong = decodeRouteConfiguration(
      anyPack(envoy.ClusterSchema, create(envoy.ClusterSchema, { name: 'c' })),
    );
    assert.deepEqual(wrong, {
      ok: false,
      errors: [
        `expected ${ROUTE_CONFIGURATION_TYPE_URL}, got type.googleapis.com/envoy.config.cluster.v3.Cluster`,
      ],
    });
    const garbage = decodeRouteConfiguration(new Uint8Array([0x0a, 0xff, 0x01]));
    assert.equal(garbage.ok, false);
    assert.match(
      garbage.ok ? '' : (garbage.errors[0] ?? ''),
      /^cannot parse envoy.config.route.v3.RouteConfiguration/,
    );
  });
});
