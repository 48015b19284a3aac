import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Metadata } from '@shoal/rpc';
import { decodeListener, envoy, type RbacFilterConfig } from '@shoal/xds';
import {
  nonForwardingRoute,
  prefix,
  type RbacInit,
  rbacFilter,
  serverListener,
} from '../e2e/xds-fixtures.js';
import { compileRbac, type RbacServerFacts } from './rbac-engine.js';

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

const plaintext: RbacServerFacts = { localIp: '127.0.0.1', localPort: 8080, tls: false };
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

  it('lets everything through without rules', () => {
    assert.equal(compileRbac(rbac({}), plaintext)(call('/a.B/C')).allowed, true);
  });
});
