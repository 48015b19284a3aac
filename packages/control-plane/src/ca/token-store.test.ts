import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DataDir } from '../state/data-dir.js';
import { TokenStore } from './token-store.js';

describe('TokenStore', () => {
  it('grants the identity it was made for until revoked, and keeps only a hash', () => {
    const dir = new DataDir(mkdtempSync(join(tmpdir(), 'shoal-tokens-'))).ensure();
    const store = new TokenStore(dir);
    const { token, record } = store.create({ namespace: 'default', serviceAccount: 'greeter' });
    assert.match(token, /^shoal\.[0-9a-f]{12}\.[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(store.verify(token), { record });
    const saved = readFileSync(dir.file('tokens.json'), 'utf8');
    assert.ok(!saved.includes(token.split('.')[2]!), 'the secret is not stored');
    assert.equal(statSync(dir.file('tokens.json')).mode & 0o777, 0o600);

    const reloaded = new TokenStore(dir);
    assert.deepEqual(reloaded.verify(token), { record });
    assert.deepEqual(reloaded.list(), [record]);
    assert.equal(reloaded.revoke(record.id), true);
    assert.match((reloaded.verify(token) as { error: string }).error, /unknown or revoked/);
    assert.equal(new TokenStore(dir).list().length, 0);
  });

  it('refuses a forged secret, a token from elsewhere, and an expired one', async () => {
    const store = new TokenStore();
    const { token } = store.create({ namespace: 'prod', serviceAccount: 'api', ttlMs: 30 });
    const forged = `${token.slice(0, -4)}AAAA`;
    assert.match((store.verify(forged) as { error: string }).error, /unknown or revoked/);
    assert.match((store.verify('eyJhbGciOi.jwt.here') as { error: string }).error, /not a Shoal token/);
    await new Promise((r) => setTimeout(r, 40));
    assert.match((store.verify(token) as { error: string }).error, /expired at/);
  });

  it('checks names like Kubernetes does', () => {
    const store = new TokenStore();
    assert.throws(() => store.create({ namespace: 'Bad_NS', serviceAccount: 'x' }), /not a DNS-1123 label/);
    assert.throws(() => store.create({ namespace: 'ok', serviceAccount: '' }), /not a DNS-1123 subdomain/);
    assert.throws(
      () => store.create({ namespace: 'ok', serviceAccount: 'x', ttlMs: -1 }),
      /must be positive/,
    );
  });
});
