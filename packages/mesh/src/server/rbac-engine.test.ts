import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { Metadata } from '@shoal/rpc';
import { envoy } from '@shoal/xds';
import { decodeListener, type RbacFilterConfig } from '@shoal/xds/plugins';
import {
  nonForwardingRoute,
  prefix,
  type RbacInit,
  rbacFilter,
  serverListener,
} from '../../test/xds-fixtures.js';
import type { ServerFacts } from '../filters/http-filter.js';
import { compileRbac } from './rbac-engine.js';

/** Decodes an RBAC filter config through the real listener decoder. */
function rbac(init: RbacInit): RbacFilterConfig {
  const r = decodeListener(
    serverListener(
      'l',
      1,
      { inline: [{ name: 'v', domains: ['*'], routes: [nonForwardingRoute(prefix())] }] },
      [rbacFilter(init)],
    ),
  );
  assert.ok(r.ok && r.value.kind === 'server', r.ok ? '' : r.errors.join('; '));
  const chain = r.value.kind === 'server' ? r.value.filterChains[0]! : undefined;
  return chain!.http.httpFilters[0]!.config as RbacFilterConfig;
}

const plaintext: ServerFacts = { localIp: '127.0.0.1', localPort: 8080 };
const path = (exact: string) => ({
  rule: {
    case: 'urlPath' as const,
    value: {
      rule: { case: 'path' as const, value: { matchPattern: { case: 'exact' as const, value: exact } } },
    },
  },
});
const anyone = { identifier: { case: 'any' as const, value: true } };
const header = (name: string, exact: string) => ({
  name,
  headerMatchSpecifier: { case: 'exactMatch' as const, value: exact },
});
const call = (p: string, h: Record<string, string> = {}) => ({ path: p, headers: new Metadata(h) });

describe('compileRbac (gRFC A41)', () => {
  it('ALLOW lets through only calls some policy matches', () => {
    const engine = compileRbac(
      rbac({
        rules: {
          action: envoy.RBAC_Action.ALLOW,
          policies: {
            'say-hello': { permissions: [path('/g.G/SayHello')], principals: [anyone] },
            admins: {
              permissions: [{ rule: { case: 'any', value: true } }],
              principals: [{ identifier: { case: 'header', value: header('x-role', 'admin') } }],
            },
          },
        },
      }),
      plaintext,
    );
    assert.deepEqual(engine(call('/g.G/SayHello')), { allowed: true, policy: 'say-hello' });
    assert.deepEqual(engine(call('/g.G/Farewell')), { allowed: false, policy: undefined });
    assert.deepEqual(engine(call('/g.G/Farewell', { 'x-role': 'admin' })), {
      allowed: true,
      policy: 'admins',
    });
  });

  it('DENY stops calls some policy matches, with and/or/not and ports', () => {
    const engine = compileRbac(
      rbac({
        rules: {
          action: envoy.RBAC_Action.DENY,
          policies: {
            'no-farewell-on-8080': {
              permissions: [
                {
                  rule: {
                    case: 'andRules',
                    value: {
                      rules: [path('/g.G/Farewell'), { rule: { case: 'destinationPort', value: 8080 } }],
                    },
                  },
                },
              ],
              principals: [
                {
                  identifier: {
                    case: 'notId',
                    value: { identifier: { case: 'header', value: header('x-role', 'admin') } },
                  },
                },
              ],
            },
          },
        },
      }),
      plaintext,
    );
    assert.equal(engine(call('/g.G/SayHello')).allowed, true);
    assert.deepEqual(engine(call('/g.G/Farewell')), { allowed: false, policy: 'no-farewell-on-8080' });
    assert.equal(engine(call('/g.G/Farewell', { 'x-role': 'admin' })).allowed, true);
    assert.equal(
      compileRbac(rbac({ rules: { action: envoy.RBAC_Action.DENY, policies: {} } }), {
        ...plaintext,
        localPort: 9,
      })(call('/x')).allowed,
      true,
    );
  });

  it('resolves what it cannot see towards denying', () => {
    const byIp = {
      permissions: [{ rule: { case: 'any' as const, value: true } }],
      principals: [
        { identifier: { case: 'remoteIp' as const, value: { addressPrefix: '10.0.0.0', prefixLen: 8 } } },
      ],
    };
    const allow = compileRbac(
      rbac({ rules: { action: envoy.RBAC_Action.ALLOW, policies: { ip: byIp } } }),
      plaintext,
    );
    assert.equal(allow(call('/a.B/C')).allowed, false, 'an unknown peer address never allows');
    const deny = compileRbac(
      rbac({ rules: { action: envoy.RBAC_Action.DENY, policies: { ip: byIp } } }),
      plaintext,
    );
    assert.equal(deny(call('/a.B/C')).allowed, false, 'an unknown peer address may be the denied one');
    const authenticated = {
      permissions: [{ rule: { case: 'any' as const, value: true } }],
      principals: [{ identifier: { case: 'authenticated' as const, value: {} } }],
    };
    const denyUnauth = compileRbac(
      rbac({ rules: { action: envoy.RBAC_Action.DENY, policies: { tls: authenticated } } }),
      plaintext,
    );
    assert.equal(
      denyUnauth(call('/a.B/C')).allowed,
      true,
      'plaintext peers are known not to be authenticated',
    );
    const peer = {
      principals: ['spiffe://cluster.local/ns/default/sa/web'],
      uriSans: ['spiffe://cluster.local/ns/default/sa/web'],
    };
    assert.equal(
      denyUnauth({ ...call('/a.B/C'), peer }).allowed,
      false,
      'a verified client certificate is authenticated',
    );
    const allowLoopbackDestination = rbac({
      rules: {
        action: envoy.RBAC_Action.ALLOW,
        policies: {
          local: {
            permissions: [
              { rule: { case: 'destinationIp', value: { addressPrefix: '127.0.0.0', prefixLen: 8 } } },
            ],
            principals: [anyone],
          },
        },
      },
    });
    const destIp = compileRbac(allowLoopbackDestination, plaintext);
    assert.equal(destIp(call('/a.B/C')).allowed, true);
    assert.equal(
      compileRbac(allowLoopbackDestination, { ...plaintext, localIp: undefined })(call('/a.B/C')).allowed,
      false,
      'a wildcard listener does not know its local IP',
    );
  });

  describe('IP ranges and IPv4-mapped addresses (dual-stack listeners)', () => {
    const everything = { rule: { case: 'any' as const, value: true } };
    const cidr = (addressPrefix: string, prefixLen: number) => ({ addressPrefix, prefixLen });
    /** An ALLOW filter with one policy per range: on the local address, then on each peer field. */
    const allowBy = (range: { addressPrefix: string; prefixLen: number }) => ({
      destination: rbac({
        rules: {
          action: envoy.RBAC_Action.ALLOW,
          policies: {
            p: { permissions: [{ rule: { case: 'destinationIp', value: range } }], principals: [anyone] },
          },
        },
      }),
      ...Object.fromEntries(
        (['sourceIp', 'directRemoteIp', 'remoteIp'] as const).map((field) => [
          field,
          rbac({
            rules: {
              action: envoy.RBAC_Action.ALLOW,
              policies: {
                p: { permissions: [everything], principals: [{ identifier: { case: field, value: range } }] },
              },
            },
          }),
        ]),
      ),
    });
    /** Whether each of the four fields lets a call through from `remoteIp` to `localIp`. */
    function verdicts(range: { addressPrefix: string; prefixLen: number }, ip: string) {
      const configs = allowBy(range);
      return Object.fromEntries(
        Object.entries(configs).map(([field, config]) => [
          field,
          field === 'destination'
            ? compileRbac(config, { ...plaintext, localIp: ip })(call('/a.B/C')).allowed
            : compileRbac(config, plaintext)({ ...call('/a.B/C'), remoteIp: ip }).allowed,
        ]),
      );
    }
    const all = (v: boolean) => ({ destination: v, sourceIp: v, directRemoteIp: v, remoteIp: v });

    it('matches an IPv4-mapped address against IPv4 ranges, in all four fields', () => {
      assert.deepEqual(verdicts(cidr('127.0.0.0', 8), '::ffff:127.0.0.1'), all(true));
      assert.deepEqual(verdicts(cidr('127.0.0.0', 8), '::FFFF:7f00:1'), all(true));
      assert.deepEqual(verdicts(cidr('127.0.0.0', 8), '127.0.0.1'), all(true));
      assert.deepEqual(verdicts(cidr('10.0.0.0', 8), '::ffff:127.0.0.1'), all(false));
      assert.deepEqual(verdicts(cidr('127.0.0.1', 32), '::ffff:127.0.0.2'), all(false));
    });

    it('matches IPv4-mapped ranges (::ffff:0:0/96 and narrower) as the IPv4 ranges they are', () => {
      assert.deepEqual(verdicts(cidr('::ffff:127.0.0.0', 104), '127.0.0.1'), all(true));
      assert.deepEqual(verdicts(cidr('::ffff:7f00:0', 104), '::ffff:127.0.0.1'), all(true));
      assert.deepEqual(verdicts(cidr('::ffff:0:0', 96), '10.1.2.3'), all(true));
      assert.deepEqual(verdicts(cidr('::ffff:127.0.0.0', 104), '10.1.2.3'), all(false));
    });

    it('never matches an IPv6 range against an IPv4 address, mapped or not', () => {
      assert.deepEqual(verdicts(cidr('::', 0), '127.0.0.1'), all(false));
      assert.deepEqual(verdicts(cidr('::', 0), '::ffff:127.0.0.1'), all(false));
      assert.deepEqual(verdicts(cidr('::', 64), '0.0.0.1'), all(false));
      assert.deepEqual(verdicts(cidr('::', 0), '::1'), all(true));
      assert.deepEqual(verdicts(cidr('::1', 128), '::1'), all(true));
      assert.deepEqual(verdicts(cidr('fe80::', 10), 'fe80::1%eth0'), all(true));
      // An IPv4 range does not match IPv6 addresses whose low bits happen to look like it.
      assert.deepEqual(verdicts(cidr('0.0.0.0', 0), '::1'), all(false));
      assert.deepEqual(verdicts(cidr('127.0.0.0', 8), '::7f00:1'), all(false));
    });

    it('treats a peer address that is no IP as unknown, which DENY rules still stop', () => {
      const inTen = { identifier: { case: 'remoteIp' as const, value: cidr('10.0.0.0', 8) } };
      const denyWhen = (principal: MessageInitShape<typeof envoy.PrincipalSchema>) =>
        compileRbac(
          rbac({
            rules: {
              action: envoy.RBAC_Action.DENY,
              policies: { p: { permissions: [everything], principals: [principal] } },
            },
          }),
          plaintext,
        );
      const denyInside = denyWhen(inTen);
      const denyOutside = denyWhen({ identifier: { case: 'notId', value: inTen } });
      const from = (remoteIp: string) => ({ ...call('/a.B/C'), remoteIp });
      assert.equal(denyInside(from('10.1.2.3')).allowed, false);
      assert.equal(denyInside(from('192.168.1.1')).allowed, true);
      assert.equal(denyOutside(from('10.1.2.3')).allowed, true);
      assert.equal(denyOutside(from('192.168.1.1')).allowed, false);
      for (const engine of [denyInside, denyOutside])
        assert.equal(
          engine(from('/run/app.sock')).allowed,
          false,
          'a unix socket peer may be the denied one',
        );
    });

    it("takes the connection's own local address over the listener's", () => {
      const local = allowBy(cidr('127.0.0.0', 8)).destination;
      const wildcard = compileRbac(local, { ...plaintext, localIp: undefined });
      assert.equal(wildcard(call('/a.B/C')).allowed, false, 'unknown without the connection address');
      assert.equal(wildcard({ ...call('/a.B/C'), localIp: '::ffff:127.0.0.1' }).allowed, true);
      assert.equal(wildcard({ ...call('/a.B/C'), localIp: '::1' }).allowed, false);
    });
  });

  it('lets everything through without rules', () => {
    assert.equal(compileRbac(rbac({}), plaintext)(call('/a.B/C')).allowed, true);
  });

  it('matches principal_name against the verified peer: URI SANs (Istio principals, namespaces)', () => {
    const byName = (regex: string) => ({
      permissions: [{ rule: { case: 'any' as const, value: true } }],
      principals: [
        {
          identifier: {
            case: 'authenticated' as const,
            value: { principalName: { matchPattern: { case: 'safeRegex' as const, value: { regex } } } },
          },
        },
      ],
    });
    const engine = compileRbac(
      rbac({ rules: { action: envoy.RBAC_Action.ALLOW, policies: { ns: byName('.*/ns/prod/.*') } } }),
      plaintext,
    );
    const as = (uri: string) => ({ ...call('/a.B/C'), peer: { principals: [uri], uriSans: [uri] } });
    assert.equal(engine(as('spiffe://cluster.local/ns/prod/sa/api')).allowed, true);
    assert.equal(engine(as('spiffe://cluster.local/ns/dev/sa/api')).allowed, false);
    assert.equal(engine(call('/a.B/C')).allowed, false, 'no certificate: not authenticated');
  });

  it('matches requested_server_name against the TLS SNI (Istio connection.sni), "" without one', () => {
    const engine = compileRbac(
      rbac({
        rules: {
          action: envoy.RBAC_Action.ALLOW,
          policies: {
            sni: {
              permissions: [
                {
                  rule: {
                    case: 'requestedServerName' as const,
                    value: { matchPattern: { case: 'exact' as const, value: 'api.example' } },
                  },
                },
              ],
              principals: [{ identifier: { case: 'any' as const, value: true } }],
            },
          },
        },
      }),
      plaintext,
    );
    assert.equal(engine({ ...call('/a.B/C'), serverName: 'api.example' }).allowed, true);
    assert.equal(engine({ ...call('/a.B/C'), serverName: 'other.example' }).allowed, false);
    assert.equal(engine(call('/a.B/C')).allowed, false, 'plaintext: no SNI');
  });
});
