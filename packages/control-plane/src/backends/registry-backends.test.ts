// Choosing the registry backend (`--registry`): the store's own by default, the built-in schemes,
// and a clear error for anything else.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registerRegistryBackends, registerStoreBackends } from './builtin-backends.js';

const log = () => {};
const stores = registerStoreBackends();
const context = () => {
  const storeBackend = stores.create('memory', { log });
  return { storeUrl: 'memory', storeBackend, createStore: (url: string) => stores.create(url, { log }), log };
};

describe('registry backends', () => {
  it("defaults to the store's own registrations, and `memory` on the memory store is the same", () => {
    const c = context();
    for (const url of [undefined, '', 'memory']) {
      const backend = registerRegistryBackends().create(url, c);
      assert.equal(backend.registrations, c.storeBackend.registrations, String(url));
      assert.equal(backend.sources, undefined);
    }
  });

  it('takes ZooKeeper as a source beside the store’s registrations', () => {
    const c = context();
    const backend = registerRegistryBackends().create('zookeeper://127.0.0.1:2181/dubbo', c);
    assert.equal(backend.sources?.length, 1);
    assert.equal(backend.sources?.[0]?.description, 'zookeeper://127.0.0.1:2181/dubbo');
    assert.match(
      backend.registrations.description,
      /^memory.*, published to zookeeper:\/\/127\.0\.0\.1:2181\/dubbo$/,
    );
    assert.equal(typeof backend.ready, 'function');
  });

  it('refuses an unknown scheme or a ZooKeeper URL without a host, saying what it takes', () => {
    assert.throws(() => registerRegistryBackends().create('nacos://127.0.0.1:8848', context()), {
      message:
        '--registry "nacos://127.0.0.1:8848": expected zookeeper://HOST:PORT (Dubbo\'s ZooKeeper; Nacos is not supported), etcd://HOST:PORT[,HOST:PORT...], kubernetes or memory',
    });
    assert.throws(
      () => registerRegistryBackends().create('zookeeper:///dubbo', context()),
      /--registry "zookeeper:\/\/\/dubbo": expected zookeeper:\/\/HOST:PORT/,
    );
  });
});
