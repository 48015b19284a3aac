import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selectVirtualHost } from './domain-match.js';

const vh = (name: string, ...domains: string[]) => ({ name, domains });

describe('selectVirtualHost (gRFC A28 domain matching)', () => {
  const hosts = [
    vh('universal', '*'),
    vh('prefix', 'greeter.*'),
    vh('long-prefix', 'greeter.default.*'),
    vh('suffix', '*.svc.cluster.local'),
    vh('long-suffix', '*.default.svc.cluster.local'),
    vh('exact', 'greeter.default.svc.cluster.local:50051', 'greeter:50051'),
  ];
  const pick = (host: string) => selectVirtualHost(hosts, host)?.name;

  it('prefers exact, then the longest suffix, then the longest prefix, then *', () => {
    assert.equal(pick('greeter:50051'), 'exact');
    assert.equal(pick('GREETER:50051'), 'exact');
    assert.equal(pick('reviews.default.svc.cluster.local'), 'long-suffix');
    assert.equal(pick('reviews.other.svc.cluster.local'), 'suffix');
    assert.equal(pick('greeter.default.x'), 'long-prefix');
    assert.equal(pick('greeter.x'), 'prefix');
    assert.equal(pick('elsewhere'), 'universal');
  });

  it('needs at least one character where the wildcard is', () => {
    const only = [vh('s', '*.foo.com'), vh('p', 'bar.*')];
    assert.equal(selectVirtualHost(only, '.foo.com'), undefined);
    assert.equal(selectVirtualHost(only, 'bar.'), undefined);
    assert.equal(selectVirtualHost(only, 'a.foo.com')?.name, 's');
  });

  it('returns undefined when nothing matches', () => {
    assert.equal(selectVirtualHost([vh('x', 'a.b')], 'c.d'), undefined);
  });
});
