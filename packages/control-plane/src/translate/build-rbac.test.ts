import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fromBinary } from '@bufbuild/protobuf';
import { envoy, LISTENER_TYPE_URL } from '@shoal/xds';
import { decodeListener } from '@shoal/xds/plugins';
import { bookinfoInput, TESTDATA } from '../../test/bookinfo-fixture.js';
import type { ConfigObject } from '../config/config-object.js';
import { loadConfigText } from '../config/load-config.js';
import { proxyNodeOf } from '../xds-server/proxy-node.js';
import { applicablePolicies, buildRbacFilters } from './build-rbac.js';
import { Translator } from './translator.js';

type Policy = ConfigObject<'AuthorizationPolicy'>;
const policy = (name: string, spec: Policy['spec'], namespace = 'foo'): Policy => ({
  apiVersion: 'security.istio.io/v1',
  kind: 'AuthorizationPolicy',
  metadata: { name, namespace },
  spec,
});

function rbacOf(filter: envoy.HttpFilter | undefined, name = 'envoy.filters.http.rbac'): envoy.RBAC {
  assert.equal(filter?.name, name);
  const rules = fromBinary(envoy.RbacFilterSchema, filter!.configType.value!.value).rules;
  assert.ok(rules);
  return rules;
}

describe('AuthorizationPolicy → RBAC filters', () => {
  it("Istio's full-rule sample: the inbound listener carries an ALLOW filter that @shoal/xds accepts", () => {
    const text = readFileSync(
      `${TESTDATA}pilot-pkg-security-authz-builder-testdata-http-allow-full-rule-in.yaml`,
      'utf8',
    );
    const loaded = loadConfigText(text);
    assert.deepEqual(loaded.errors, []);
    const t = new Translator({ ...bookinfoInput([]), authorizationPolicies: loaded.objects as Policy[] });
    const server = proxyNodeOf({
      id: 'httpbin-1',
      metadata: { NAMESPACE: 'foo', LABELS: { app: 'httpbin', version: 'v1' } },
    });
    const built = t.resource(LISTENER_TYPE_URL, 'xds.istio.io/grpc/lds/inbound/10.0.0.9:8000', server)!;
    const decoded = decodeListener(built.bytes);
    assert.ok(decoded.ok, decoded.ok ? '' : decoded.errors.join('; '));
    const hcmAny = (built.message as envoy.Listener).filterChains[0]!.filters[0]!.configType.value!;
    const hcm = fromBinary(envoy.HttpConnectionManagerSchema, hcmAny.value);
    assert.deepEqual(
      hcm.httpFilters.map((f) => f.name),
      ['envoy.filters.http.rbac', 'envoy.filters.http.router'],
    );
    const rbac = rbacOf(hcm.httpFilters[0]);
    assert.equal(rbac.action, envoy.RBAC_Action.ALLOW);
    // rule[1] needs JWT claims and path templates, which proxyless servers cannot check: an ALLOW
    // rule that cannot be checked must never match, so only rule[0] remains.
    assert.deepEqual(Object.keys(rbac.policies), ['ns[foo]-policy[httpbin-1]-rule[0]']);
    const principal = rbac.policies['ns[foo]-policy[httpbin-1]-rule[0]']!.principals[0]!;
    const text0 = JSON.stringify(principal, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
    assert.match(text0, /spiffe:\/\/cluster\.local\/ns\/my-ns\/sa\/my-sa/);
    assert.match(
      text0,
      /spiffe:\/\/cluster\.local\/ns\/foo\/sa\/sa-only/,
      'a bare service account is in the policy namespace',
    );
    const other = proxyNodeOf({ id: 'other', metadata: { NAMESPACE: 'foo', LABELS: { app: 'other' } } });
    const plain = t.resource(LISTENER_TYPE_URL, 'xds.istio.io/grpc/lds/inbound/10.0.0.9:8000', other)!;
    const plainHcm = fromBinary(
      envoy.HttpConnectionManagerSchema,
      (plain.message as envoy.Listener).filterChains[0]!.filters[0]!.configType.value!.value,
    );
    assert.deepEqual(
      plainHcm.httpFilters.map((f) => f.name),
      ['envoy.filters.http.router'],
      'the selector does not match',
    );
  });

  it('DENY before ALLOW; an ALLOW policy without rules denies everything; AUDIT is ignored', () => {
    const filters = buildRbacFilters([
      policy('allow-none', { action: 'ALLOW' }),
      policy('deny-delete', { action: 'DENY', rules: [{ to: [{ operation: { methods: ['DELETE'] } }] }] }),
      policy('audit', { action: 'AUDIT', rules: [{}] }),
    ]);
    assert.equal(filters.length, 2);
    const deny = rbacOf(filters[0], 'envoy.filters.http.rbac.DENY');
    assert.equal(deny.action, envoy.RBAC_Action.DENY);
    const permission = deny.policies['ns[foo]-policy[deny-delete]-rule[0]']!.permissions[0]!;
    assert.equal(permission.rule.case, 'header');
    assert.equal((permission.rule.value as envoy.HeaderMatcher).name, ':method');
    const allow = rbacOf(filters[1]);
    assert.equal(allow.action, envoy.RBAC_Action.ALLOW);
    assert.deepEqual(allow.policies, {});
  });

  it('header conditions use the HeaderMatcher fields every gRPC RBAC reads (no string_match)', () => {
    const [allow] = buildRbacFilters([
      policy('headers', {
        rules: [
          {
            to: [{ operation: { methods: ['GET*'], hosts: ['*.Example.com'] } }],
            when: [{ key: 'request.headers[x-tenant]', values: ['acme', '*'] }],
          },
        ],
      }),
    ]);
    const rule = rbacOf(allow).policies['ns[foo]-policy[headers]-rule[0]']!;
    const found: [string, string, string][] = [];
    JSON.stringify([rule.permissions, rule.principals], (_k, v) => {
      const spec = (v as envoy.HeaderMatcher | undefined)?.headerMatchSpecifier;
      if (spec) {
        const value = spec.case === 'safeRegexMatch' ? spec.value.regex : String(spec.value);
        found.push([(v as envoy.HeaderMatcher).name, spec.case ?? '', value]);
      }
      return v;
    });
    assert.deepEqual(found, [
      [':method', 'prefixMatch', 'GET'],
      // :authority is case-insensitive: an RE2 (?i) pattern with the dots escaped.
      [':authority', 'safeRegexMatch', '(?i).*\\.Example\\.com'],
      ['x-tenant', 'exactMatch', 'acme'],
      ['x-tenant', 'safeRegexMatch', '.+'],
    ]);
  });

  it('DENY and ALLOW together: distinct filter names, so a client accepts the listener', () => {
    const t = new Translator({
      ...bookinfoInput([]),
      authorizationPolicies: [
        policy('allow-all', { rules: [{}] }),
        policy('deny-delete', { action: 'DENY', rules: [{ to: [{ operation: { methods: ['DELETE'] } }] }] }),
      ],
    });
    const server = proxyNodeOf({
      id: 'httpbin-1',
      metadata: { NAMESPACE: 'foo', LABELS: { app: 'httpbin' } },
    });
    const built = t.resource(LISTENER_TYPE_URL, 'xds.istio.io/grpc/lds/inbound/10.0.0.9:8000', server)!;
    const decoded = decodeListener(built.bytes);
    assert.ok(decoded.ok, decoded.ok ? '' : decoded.errors.join('; '));
    const hcm = fromBinary(
      envoy.HttpConnectionManagerSchema,
      (built.message as envoy.Listener).filterChains[0]!.filters[0]!.configType.value!.value,
    );
    assert.deepEqual(
      hcm.httpFilters.map((f) => f.name),
      ['envoy.filters.http.rbac.DENY', 'envoy.filters.http.rbac', 'envoy.filters.http.router'],
    );
  });

  it('a DENY rule drops only the conditions it cannot check (it denies more, never less)', () => {
    const [deny] = buildRbacFilters([
      policy('deny-jwt', {
        action: 'DENY',
        rules: [{ from: [{ source: { requestPrincipals: ['*'], ipBlocks: ['10.0.0.0/8'] } }] }],
      }),
    ]);
    const p = rbacOf(deny, 'envoy.filters.http.rbac.DENY').policies['ns[foo]-policy[deny-jwt]-rule[0]']!
      .principals[0]!;
    assert.equal(p.identifier.case, 'directRemoteIp');
    assert.equal((p.identifier.value as envoy.CidrRange).prefixLen, 8);
  });

  it('a CUSTOM policy (no external authorizer) denies what it matches; rules: [{}] matches everything', () => {
    const filters = buildRbacFilters([
      policy('ext', { action: 'CUSTOM', provider: { name: 'x' }, rules: [{}] }),
    ]);
    assert.equal(filters.length, 1);
    const rules = rbacOf(filters[0], 'envoy.filters.http.rbac.DENY');
    assert.equal(rules.action, envoy.RBAC_Action.DENY);
    const p = rules.policies['ns[foo]-policy[ext]-rule[0]']!;
    assert.equal(p.principals[0]?.identifier.case, 'any');
    assert.equal(p.permissions[0]?.rule.case, 'any');
  });

  it('which policies apply: same namespace or the root namespace, selector matched, no targetRef', () => {
    const all = [
      policy('ns-wide', { rules: [{}] }),
      policy('mesh', { rules: [{}] }, 'istio-system'),
      policy('elsewhere', { rules: [{}] }, 'bar'),
      policy('web-only', { selector: { matchLabels: { app: 'web' } }, rules: [{}] }),
      policy('waypoint', { targetRefs: [{ kind: 'Service', name: 'x' }], rules: [{}] }),
    ];
    assert.deepEqual(
      applicablePolicies(all, 'foo', { app: 'api' }).map((p) => p.metadata.name),
      ['ns-wide', 'mesh'],
    );
    assert.deepEqual(
      applicablePolicies(all, 'foo', { app: 'web' }).map((p) => p.metadata.name),
      ['ns-wide', 'mesh', 'web-only'],
    );
  });
});
