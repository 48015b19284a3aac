import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { Metadata } from '@shoal/rpc';
import type { envoy } from '@shoal/xds';
import { decodeRouteConfiguration } from '@shoal/xds/plugins';
import { prefix, route, routeConfiguration } from '../../test/xds-fixtures.js';
import { RequestHasher } from './request-hash.js';
import { xxHash64 } from './xxhash64.js';

const rotl1 = (h: bigint) => ((h << 1n) | (h >> 63n)) & 0xffffffffffffffffn;

type HashPolicyInit = MessageInitShape<typeof envoy.RouteAction_HashPolicySchema>;

const header = (headerName: string, terminal = false): HashPolicyInit => ({
  policySpecifier: { case: 'header', value: { headerName } },
  terminal,
});

/** A hasher for a route's hash policies, as @shoal/xds decodes them. */
function hasher(hashPolicy: HashPolicyInit[]): RequestHasher {
  const r = decodeRouteConfiguration(
    routeConfiguration('rc', [
      { name: 'vh', domains: ['*'], routes: [route(prefix(), 'c', { hashPolicy })] },
    ]),
  );
  assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
  const action = r.value.virtualHosts[0]!.routes[0]!.action;
  assert.ok(action.kind === 'route');
  return new RequestHasher(action.hashPolicies);
}

describe('RequestHasher', () => {
  it('hashes a header value with XXH64, joining repeated values with commas', () => {
    const h = hasher([header('X-User')]);
    assert.equal(h.hash(new Metadata({ 'x-user': 'alice' }), 0n), xxHash64('alice'));
    assert.equal(h.hash(new Metadata({ 'x-user': ['a', 'b'] }), 0n), xxHash64('a,b'));
    assert.equal(h.hash(new Metadata(), 0n), undefined, 'missing header: no hash (random pick)');
  });

  it('rewrites the value by regex first, with RE2-style group references', () => {
    const h = hasher([
      {
        policySpecifier: {
          case: 'header',
          value: {
            headerName: 'x-session',
            regexRewrite: { pattern: { regex: '^s-(\\d+)-.*$' }, substitution: '\\1' },
          },
        },
      },
    ]);
    assert.equal(h.hash(new Metadata({ 'x-session': 's-42-zzz' }), 0n), xxHash64('42'));
  });

  it('combines policies as rotl(hash, 1) ^ next and stops at a terminal one that hashed', () => {
    const md = new Metadata({ a: 'x', b: 'y', c: 'z' });
    const all = hasher([header('a'), header('b')]);
    assert.equal(all.hash(md, 0n), rotl1(xxHash64('x')) ^ xxHash64('y'));
    const term = hasher([header('missing', true), header('a', true), header('c')]);
    assert.equal(term.hash(md, 0n), xxHash64('x'));
  });

  it('hashes the channel id for filter_state io.grpc.channel_id and ignores other kinds', () => {
    const cookie: HashPolicyInit = { policySpecifier: { case: 'cookie', value: { name: 'c' } } };
    const h = hasher([
      { policySpecifier: { case: 'filterState', value: { key: 'io.grpc.channel_id' } } },
      cookie,
      { policySpecifier: { case: 'filterState', value: { key: 'other' } } },
      header('trace-bin'),
    ]);
    assert.equal(h.hash(new Metadata({ 'trace-bin': new Uint8Array([1]) }), 12345n), 12345n);
    assert.equal(hasher([cookie]).empty, true);
  });
});
