import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLUSTER_TYPE_URL } from '@shoal/xds';
import {
  aggregateCluster,
  clientListener,
  edsCluster,
  loadAssignment,
  prefix,
  route,
  routeConfiguration,
} from '../../test/xds-fixtures.js';
import { XdsDependencyManager } from './dependency-manager.js';
import type { MeshConfig } from './mesh-config.js';
import { StaticResourceSource } from './static-resource-source.js';

const L = 'svc:1';

function start(source: StaticResourceSource) {
  const configs: MeshConfig[] = [];
  new XdsDependencyManager({
    source,
    listenerName: L,
    onUpdate: (u) => {
      if (u.kind === 'config') configs.push(u.config);
    },
  });
  return configs;
}

const base = (to = 'agg') => [
  clientListener(L),
  routeConfiguration(L, [{ name: 'vh', domains: ['*'], routes: [route(prefix(), to)] }]),
];

describe('aggregate clusters (gRFC A37)', () => {
  it('stacks leaf endpoints by priority, depth first, each leaf once', () => {
    const source = new StaticResourceSource();
    source.set(
      ...base(),
      aggregateCluster('agg', ['primary', 'inner', 'primary']),
      aggregateCluster('inner', ['secondary']),
      edsCluster('primary'),
      edsCluster('secondary'),
      loadAssignment('primary', [
        { zone: 'a', priority: 0, endpoints: [{ port: 1 }] },
        { zone: 'b', priority: 1, endpoints: [{ port: 2 }] },
      ]),
      loadAssignment('secondary', [{ zone: 'c', endpoints: [{ port: 3 }] }]),
    );
    const configs = start(source);
    assert.equal(configs.length, 1);
    const agg = configs[0]!.clusters.get('agg')!;
    assert.ok(agg.status === 'ok');
    assert.deepEqual(
      agg.endpoints.map((e) => [e.port, e.priority, e.locality.zone]),
      [
        [1, 0, 'a'],
        [2, 1, 'b'],
        [3, 2, 'c'],
      ],
    );
    assert.deepEqual([...configs[0]!.clusters.keys()], ['agg'], 'only routed clusters are in the snapshot');
  });

  it('waits for every child before publishing', () => {
    const source = new StaticResourceSource();
    source.set(
      ...base(),
      aggregateCluster('agg', ['x', 'y']),
      edsCluster('x'),
      loadAssignment('x', [{ endpoints: [{ port: 1 }] }]),
    );
    const configs = start(source);
    assert.equal(configs.length, 0, 'y is not known yet');
    source.remove(CLUSTER_TYPE_URL, 'y');
    assert.equal(configs.length, 1);
    const agg = configs[0]!.clusters.get('agg')!;
    assert.ok(agg.status === 'ok' && agg.endpoints.length === 1, 'a missing leaf is skipped');
  });

  it('reports loops and aggregates without leaves', () => {
    const source = new StaticResourceSource();
    source.set(...base(), aggregateCluster('agg', ['loop']), aggregateCluster('loop', ['agg']));
    const loop = start(source)[0]!.clusters.get('agg')!;
    assert.deepEqual(loop, {
      status: 'unavailable',
      name: 'agg',
      reason: 'aggregate cluster loop: agg → loop → agg',
    });
    const empty = new StaticResourceSource();
    empty.set(...base(), aggregateCluster('agg', ['gone']));
    empty.remove(CLUSTER_TYPE_URL, 'gone');
    assert.match(JSON.stringify(start(empty)[0]!.clusters.get('agg')), /has no existing leaf cluster/);
  });
});
