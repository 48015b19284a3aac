import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Metadata } from '@shoal/rpc';
import { seededRandom } from '@shoal/testing';
import { decodeRouteConfiguration, type XdsVirtualHost } from '@shoal/xds/plugins';
import {
  type HeaderMatcherInit,
  type RouteInit,
  route,
  routeConfiguration,
} from '../../test/xds-fixtures.js';
import { RouteTable } from './route-table.js';

/** Decodes one virtual host with these routes through the real RDS decoder. */
function vhost(routes: RouteInit[]): XdsVirtualHost {
  const r = decodeRouteConfiguration(routeConfiguration('rc', [{ name: 'vh', domains: ['*'], routes }]));
  assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
  return r.value.virtualHosts[0]!;
}

const table = (routes: RouteInit[]) => new RouteTable(vhost(routes));
const md = (init: Record<string, string | string[]> = {}) => new Metadata(init);
const never = () => {
  throw new Error('random drawn without runtime_fraction');
};

/** The cluster of the route that takes `path` with these headers, or 'none'. */
function routeTo(t: RouteTable, path: string, headers = md()): string {
  const e = t.match(path, headers, never);
  return e ? e.pickCluster(never)!.name : 'none';
}

const headerRoute = (h: HeaderMatcherInit, to = 'hit'): RouteInit =>
  route({ pathSpecifier: { case: 'prefix', value: '' }, headers: [h] }, to);

describe('RouteTable: paths (gRFC A28)', () => {
  it('matches prefix, exact path and safe_regex, first match wins', () => {
    const t = table([
      route({ pathSpecifier: { case: 'path', value: '/greet.v1.Greeter/SayHello' } }, 'exact'),
      route(
        { pathSpecifier: { case: 'safeRegex', value: { regex: '/greet\\.v1\\.Greeter/Say.*' } } },
        'regex',
      ),
      route({ pathSpecifier: { case: 'prefix', value: '/greet.v1.Greeter/' } }, 'service'),
      route({ pathSpecifier: { case: 'prefix', value: '' } }, 'default'),
    ]);
    assert.equal(routeTo(t, '/greet.v1.Greeter/SayHello'), 'exact');
    assert.equal(routeTo(t, '/greet.v1.Greeter/SayGoodbye'), 'regex');
    assert.equal(routeTo(t, '/greet.v1.Greeter/Farewell'), 'service');
    assert.equal(routeTo(t, '/other.Svc/M'), 'default');
  });

  it('anchors regexes to the whole path', () => {
    const t = table([route({ pathSpecifier: { case: 'safeRegex', value: { regex: 'Say' } } }, 'r')]);
    assert.equal(routeTo(t, '/g.G/SayHello'), 'none');
  });

  it('honours case_sensitive for prefix and path', () => {
    const t = table([
      route({ pathSpecifier: { case: 'path', value: '/G.g/hello' }, caseSensitive: false }, 'ci-path'),
      route({ pathSpecifier: { case: 'prefix', value: '/A.b/' }, caseSensitive: false }, 'ci-prefix'),
      route({ pathSpecifier: { case: 'prefix', value: '/Z.z/' } }, 'cs-prefix'),
    ]);
    assert.equal(routeTo(t, '/g.G/HELLO'), 'ci-path');
    assert.equal(routeTo(t, '/a.B/x'), 'ci-prefix');
    assert.equal(routeTo(t, '/Z.z/x'), 'cs-prefix');
    assert.equal(routeTo(t, '/z.z/x'), 'none');
  });

  it('never matches routes with query parameter matchers', () => {
    const t = table([
      route(
        {
          pathSpecifier: { case: 'prefix', value: '' },
          queryParameters: [
            { name: 'q', queryParameterMatchSpecifier: { case: 'presentMatch', value: true } },
          ],
        },
        'q',
      ),
    ]);
    assert.equal(routeTo(t, '/a.B/C'), 'none');
  });
});

describe('RouteTable: headers (gRFC A28)', () => {
  const str = (
    matchPattern: { case: 'exact' | 'prefix' | 'suffix' | 'contains'; value: string },
    ignoreCase = false,
  ) => ({ case: 'stringMatch', value: { matchPattern, ignoreCase } }) as const;

  it('exact, prefix, suffix and contains, with ignore_case', () => {
    const cases: [HeaderMatcherInit['headerMatchSpecifier'], string, boolean][] = [
      [str({ case: 'exact', value: 'beta' }), 'beta', true],
      [str({ case: 'exact', value: 'beta' }), 'Beta', false],
      [str({ case: 'exact', value: 'beta' }, true), 'BETA', true],
      [str({ case: 'prefix', value: 'be' }), 'beta', true],
      [str({ case: 'prefix', value: 'be' }), 'alpha', false],
      [str({ case: 'suffix', value: 'ta' }), 'beta', true],
      [str({ case: 'suffix', value: 'TA' }, true), 'beta', true],
      [str({ case: 'contains', value: 'et' }), 'beta', true],
      [str({ case: 'contains', value: 'xx' }), 'beta', false],
      [{ case: 'exactMatch', value: 'v2' }, 'v2', true],
      [{ case: 'prefixMatch', value: 'v' }, 'v2', true],
      [{ case: 'suffixMatch', value: '2' }, 'v3', false],
      [{ case: 'containsMatch', value: 'x' }, 'axb', true],
    ];
    for (const [spec, value, want] of cases) {
      const t = table([headerRoute({ name: 'x-user', headerMatchSpecifier: spec })]);
      assert.equal(
        routeTo(t, '/a.B/C', md({ 'x-user': value })) === 'hit',
        want,
        `${JSON.stringify(spec)} vs ${value}`,
      );
    }
  });

  it('safe_regex matches the whole value', () => {
    const t = table([
      headerRoute({
        name: 'x-v',
        headerMatchSpecifier: { case: 'safeRegexMatch', value: { regex: 'v[0-9]+' } },
      }),
    ]);
    assert.equal(routeTo(t, '/a.B/C', md({ 'x-v': 'v12' })), 'hit');
    assert.equal(routeTo(t, '/a.B/C', md({ 'x-v': 'xv12' })), 'none');
  });

  it('range is [start, end) over integers; present checks presence', () => {
    const range = table([
      headerRoute({
        name: 'x-n',
        headerMatchSpecifier: { case: 'rangeMatch', value: { start: 10n, end: 20n } },
      }),
    ]);
    assert.equal(routeTo(range, '/a.B/C', md({ 'x-n': '10' })), 'hit');
    assert.equal(routeTo(range, '/a.B/C', md({ 'x-n': '20' })), 'none');
    assert.equal(routeTo(range, '/a.B/C', md({ 'x-n': '-5' })), 'none');
    assert.equal(routeTo(range, '/a.B/C', md({ 'x-n': '1x' })), 'none');
    const present = table([
      headerRoute({ name: 'x-p', headerMatchSpecifier: { case: 'presentMatch', value: true } }),
    ]);
    assert.equal(routeTo(present, '/a.B/C', md({ 'x-p': '' })), 'hit');
    assert.equal(routeTo(present, '/a.B/C'), 'none');
    const absent = table([
      headerRoute({ name: 'x-p', headerMatchSpecifier: { case: 'presentMatch', value: false } }),
    ]);
    assert.equal(routeTo(absent, '/a.B/C'), 'hit');
  });

  it('invert negates a match, but a missing header still fails', () => {
    const t = table([
      headerRoute({
        name: 'x-user',
        invertMatch: true,
        headerMatchSpecifier: { case: 'exactMatch', value: 'beta' },
      }),
    ]);
    assert.equal(routeTo(t, '/a.B/C', md({ 'x-user': 'alpha' })), 'hit');
    assert.equal(routeTo(t, '/a.B/C', md({ 'x-user': 'beta' })), 'none');
    assert.equal(routeTo(t, '/a.B/C'), 'none');
    const inverted = table([
      headerRoute({
        name: 'x-p',
        invertMatch: true,
        headerMatchSpecifier: { case: 'presentMatch', value: true },
      }),
    ]);
    assert.equal(routeTo(inverted, '/a.B/C'), 'hit');
  });

  it('never sees -bin headers; reads content-type as application/grpc; joins repeated values', () => {
    const bin = table([
      headerRoute({ name: 'x-id-bin', headerMatchSpecifier: { case: 'presentMatch', value: true } }),
    ]);
    assert.equal(routeTo(bin, '/a.B/C', new Metadata().set('x-id-bin', new Uint8Array([1]))), 'none');
    const ct = table([
      headerRoute({
        name: 'content-type',
        headerMatchSpecifier: { case: 'exactMatch', value: 'application/grpc' },
      }),
    ]);
    assert.equal(routeTo(ct, '/a.B/C', md({ 'content-type': 'application/grpc+proto' })), 'hit');
    assert.equal(routeTo(ct, '/a.B/C'), 'hit');
    const joined = table([
      headerRoute({ name: 'x-tag', headerMatchSpecifier: { case: 'exactMatch', value: 'a,b' } }),
    ]);
    assert.equal(routeTo(joined, '/a.B/C', md({ 'x-tag': ['a', 'b'] })), 'hit');
  });

  it('treat_missing_header_as_empty matches an absent header as ""', () => {
    const t = table([
      headerRoute({
        name: 'x-e',
        treatMissingHeaderAsEmpty: true,
        headerMatchSpecifier: { case: 'stringMatch', value: { matchPattern: { case: 'exact', value: '' } } },
      }),
    ]);
    assert.equal(routeTo(t, '/a.B/C'), 'hit');
  });

  it('needs every header matcher of a route to hold', () => {
    const t = table([
      route(
        {
          pathSpecifier: { case: 'prefix', value: '' },
          headers: [
            { name: 'a', headerMatchSpecifier: { case: 'exactMatch', value: '1' } },
            { name: 'b', headerMatchSpecifier: { case: 'exactMatch', value: '2' } },
          ],
        },
        'both',
      ),
    ]);
    assert.equal(routeTo(t, '/a.B/C', md({ a: '1', b: '2' })), 'both');
    assert.equal(routeTo(t, '/a.B/C', md({ a: '1' })), 'none');
  });
});

describe('RouteTable: runtime_fraction and weighted clusters', () => {
  it('matches runtime_fraction per million with the injected random', () => {
    const t = table([
      route(
        {
          pathSpecifier: { case: 'prefix', value: '' },
          runtimeFraction: { defaultValue: { numerator: 25, denominator: 0 } },
        },
        'quarter',
      ),
      route(prefixAll(), 'rest'),
    ]);
    assert.equal(t.match('/a.B/C', md(), () => 0.2499)!.name, 'routes[0]');
    assert.equal(t.match('/a.B/C', md(), () => 0.25)!.name, 'routes[1]');
    const random = seededRandom(7);
    let hits = 0;
    for (let i = 0; i < 10_000; i++) if (t.match('/a.B/C', md(), random)!.index === 0) hits++;
    assert.ok(hits > 2300 && hits < 2700, `${hits} of 10000`);
  });

  it('draws weighted clusters in proportion to their weights', () => {
    const t = table([
      route(prefixAll(), [
        ['v1', 80],
        ['v2', 20],
        ['v3', 0],
      ]),
    ]);
    const entry = t.match('/a.B/C', md(), never)!;
    assert.equal(entry.pickCluster(() => 0.79)!.name, 'v1');
    assert.equal(entry.pickCluster(() => 0.8)!.name, 'v2');
    const random = seededRandom(3);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 10_000; i++) {
      const n = entry.pickCluster(random)!.name;
      counts[n] = (counts[n] ?? 0) + 1;
    }
    assert.equal(counts.v3, undefined);
    assert.ok(counts.v1! > 7700 && counts.v1! < 8300, JSON.stringify(counts));
  });

  it('names routes by their name or position', () => {
    const t = table([route(prefixAll(), 'a', { name: 'canary' }), route(prefixAll(), 'b')]);
    assert.deepEqual(
      t.routes.map((r) => r.name),
      ['canary', 'routes[1]'],
    );
  });
});

function prefixAll() {
  return { pathSpecifier: { case: 'prefix' as const, value: '' } };
}
