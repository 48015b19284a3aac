import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Metadata, RpcError } from '@shoal/rpc';
import { RequestHasher } from './request-hash.js';
import { xxHash64 } from './xxhash64.js';

const rotl1 = (h: bigint) => ((h << 1n) | (h >> 63n)) & 0xffffffffffffffffn;

describe('RequestHasher', () => {
  it('hashes a header value with XXH64, joining repeated values with commas', () => {
    const h = new RequestHasher([{ header: { headerName: 'X-User' } }]);
    assert.equal(h.hash(new Metadata({ 'x-user': 'alice' }), 0n), xxHash64('alice'));
    assert.equal(h.hash(new Metadata({ 'x-user': ['a', 'b'] }), 0n), xxHash64('a,b'));
    assert.equal(h.hash(new Metadata(), 0n), undefined, 'missing header: no hash (random pick)');
  });

  it('rewrites the value by regex first, with RE2-style group references', () => {
    const h = new RequestHasher([
      {
        header: { headerName: 'x-session', regexRewrite: { pattern: '^s-(\\d+)-.*$', substitution: '\\1' } },
      },
    ]);
    assert.equal(h.hash(new Metadata({ 'x-session': 's-42-zzz' }), 0n), xxHash64('42'));
  });

  it('combines policies as rotl(hash, 1) ^ next and stops at a terminal one that hashed', () => {
    const md = new Metadata({ a: 'x', b: 'y', c: 'z' });
    const all = new RequestHasher([{ header: { headerName: 'a' } }, { header: { headerName: 'b' } }]);
    assert.equal(all.hash(md, 0n), rotl1(xxHash64('x')) ^ xxHash64('y'));
    const term = new RequestHasher([
      { header: { headerName: 'missing' }, terminal: true },
      { header: { headerName: 'a' }, terminal: true },
      { header: { headerName: 'c' } },
    ]);
    assert.equal(term.hash(md, 0n), xxHash64('x'));
  });

  it('hashes the channel id for filter_state io.grpc.channel_id and ignores other kinds', () => {
    const h = new RequestHasher([
      { filterState: { key: 'io.grpc.channel_id' } },
      { cookie: { name: 'c' } },
      { filterState: { key: 'other' } },
      { header: { headerName: 'trace-bin' } },
    ]);
    assert.equal(h.hash(new Metadata({ 'trace-bin': new Uint8Array([1]) }), 12345n), 12345n);
    assert.equal(new RequestHasher([{ cookie: { name: 'c' } }]).empty, true);
  });

  it('reports bad policies with their paths', () => {
    assert.throws(
      () =>
        new RequestHasher(
          [
            { header: { headerName: '' } },
            { header: { headerName: 'a', regexRewrite: { pattern: '(', substitution: '' } } },
          ],
          'routes[0].route.hashPolicy',
        ),
      (e: unknown) =>
        e instanceof RpcError &&
        e.message.includes('routes[0].route.hashPolicy[0].header.headerName') &&
        e.message.includes('routes[0].route.hashPolicy[1].header.regexRewrite.pattern: invalid regex'),
    );
  });
});
