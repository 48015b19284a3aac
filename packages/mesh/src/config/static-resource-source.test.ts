import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLUSTER_TYPE_URL, LISTENER_TYPE_URL, type XdsCluster } from '@shoal/xds';
import { edsCluster } from '../../test/xds-fixtures.js';
import { StaticResourceSource } from './static-resource-source.js';
import type { ResourceWatcher } from './watch-source.js';

function recorder() {
  const events: string[] = [];
  const watcher: ResourceWatcher<XdsCluster> = {
    onUpdate: (c) => events.push(`update ${c.name} max=${c.circuitBreakers.maxRequests}`),
    onError: (e) => events.push(`error ${e.message}`),
    onDoesNotExist: () => events.push('missing'),
  };
  return { events, watcher };
}

describe('StaticResourceSource', () => {
  it('decodes what it is given, tells watchers, and answers late watchers from its cache', () => {
    const s = new StaticResourceSource();
    const early = recorder();
    s.watch(CLUSTER_TYPE_URL, 'c', early.watcher);
    assert.equal(s.set(edsCluster('c', { maxRequests: 7 })), undefined);
    const late = recorder();
    s.watch(CLUSTER_TYPE_URL, 'c', late.watcher);
    assert.deepEqual(early.events, ['update c max=7']);
    assert.deepEqual(late.events, ['update c max=7']);
  });

  it('NACKs invalid resources with their field paths, keeping the last good one', () => {
    const s = new StaticResourceSource();
    const r = recorder();
    s.set(edsCluster('c', { maxRequests: 7 }));
    s.watch(CLUSTER_TYPE_URL, 'c', r.watcher);
    const nack = s.set(edsCluster('c', { lbPolicy: 99 as never }));
    assert.match(nack ?? '', /^c: lb_policy: unsupported policy 99/);
    assert.equal(r.events.length, 2);
    assert.match(r.events[1]!, /^error \[INVALID_ARGUMENT\] c: lb_policy/);
    const again = recorder();
    s.watch(CLUSTER_TYPE_URL, 'c', again.watcher);
    assert.deepEqual(again.events, ['update c max=7'], 'the last good value is still served');
  });

  it('reports removed resources as missing, and stops telling cancelled watchers', () => {
    const s = new StaticResourceSource();
    const r = recorder();
    const cancel = s.watch(CLUSTER_TYPE_URL, 'c', r.watcher);
    s.set(edsCluster('c'));
    s.remove(CLUSTER_TYPE_URL, 'c');
    cancel();
    s.set(edsCluster('c'));
    assert.deepEqual(r.events, ['update c max=1024', 'missing']);
    assert.deepEqual(s.watched(CLUSTER_TYPE_URL), []);
    const late = recorder();
    s.watch(LISTENER_TYPE_URL, 'gone', late.watcher as never);
    s.remove(LISTENER_TYPE_URL, 'gone');
    assert.deepEqual(late.events, ['missing']);
  });
});
