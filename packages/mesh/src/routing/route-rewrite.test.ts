import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { XdsForwardingAction, XdsRouteMatch } from '@shoal/xds/plugins';
import { compilePathRewrite, hostRewriteOf } from './route-rewrite.js';

const match = (path: XdsRouteMatch['path']): XdsRouteMatch => ({
  path,
  caseSensitive: true,
  headers: [],
  queryParameters: [],
});
const action = (a: Partial<XdsForwardingAction>): XdsForwardingAction => ({
  kind: 'route',
  clusters: [{ name: 'c', weight: 1, filterOverrides: {}, headers: {} }],
  totalWeight: 1,
  hashPolicies: [],
  mirrors: [],
  ...a,
});

describe('route rewrites (Envoy prefix_rewrite, regex_rewrite, host_rewrite_literal)', () => {
  it('prefix_rewrite replaces the matched prefix, or the whole path of a path or regex match', () => {
    const p = compilePathRewrite(
      match({ kind: 'prefix', prefix: '/greet.v1.' }),
      action({ prefixRewrite: '/greet.v2.' }),
    );
    assert.equal(p?.('/greet.v1.Greeter/SayHello'), '/greet.v2.Greeter/SayHello');
    const exact = compilePathRewrite(
      match({ kind: 'path', path: '/a.A/X' }),
      action({ prefixRewrite: '/b.B/Y' }),
    );
    assert.equal(exact?.('/a.A/X'), '/b.B/Y');
    const re = compilePathRewrite(
      match({ kind: 'safe_regex', regex: '/a\\..*' }),
      action({ prefixRewrite: '/z.Z/Q' }),
    );
    assert.equal(re?.('/a.A/X'), '/z.Z/Q');
  });

  it('regex_rewrite replaces every match, with \\N groups', () => {
    const p = compilePathRewrite(
      match({ kind: 'prefix', prefix: '/' }),
      action({ regexRewrite: { pattern: '^/(\\w+)\\.v1\\.(\\w+)/', substitution: '/\\1.v2.\\2/' } }),
    );
    assert.equal(p?.('/greet.v1.Greeter/SayHello'), '/greet.v2.Greeter/SayHello');
    const all = compilePathRewrite(
      match({ kind: 'prefix', prefix: '/' }),
      action({ regexRewrite: { pattern: 'o', substitution: '0$' } }),
    );
    assert.equal(all?.('/foo'), '/f0$0$');
  });

  it('no rewrite when the route has none; a weighted cluster’s host rewrite wins over the route’s', () => {
    assert.equal(compilePathRewrite(match({ kind: 'prefix', prefix: '/' }), action({})), undefined);
    const a = action({ hostRewrite: 'route.example' });
    assert.equal(hostRewriteOf(a, a.clusters[0]!), 'route.example');
    assert.equal(hostRewriteOf(a, { ...a.clusters[0]!, hostRewrite: 'cluster.example' }), 'cluster.example');
  });
});
