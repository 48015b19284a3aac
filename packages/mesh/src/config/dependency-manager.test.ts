import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
  CLUSTER_TYPE_URL,
  LISTENER_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
} from '@shoal/xds';
import {
  clientListener,
  edsCluster,
  loadAssignment,
  prefix,
  route,
  routeConfiguration,
} from '../../test/xds-fixtures.js';
import { XdsDependencyManager } from './dependency-manager.js';
import type { MeshConfig, MeshConfigUpdate } from './mesh-config.js';
import { StaticResourceSource } from './static-resource-source.js';

const L = 'greeter:50051';

function start(source: StaticResourceSource, listenerName = L) {
  const updates: MeshConfigUpdate[] = [];
  const manager = new XdsDependencyManager({ source, listenerName, onUpdate: (u) => updates.push(u) });
  const configs = () =>
    updates.filter((u) => u.kind === 'config').map((u) => (u as { config: MeshConfig }).config);
  return { manager, updates, configs };
}

const vhosts = (routes = [route(prefix(), 'c1')]) => [{ name: 'vh', domains: [L, 'greeter'], routes }];

function fullConfig(source: StaticResourceSource): void {
  assert.equal(
    source.set(
      clientListener(L),
      routeConfiguration(
        L,
        vhosts([
          route(prefix('/a'), 'c1'),
          route(prefix(), [
            ['c1', 1],
            ['c2', 1],
          ]),
        ]),
      ),
      edsCluster('c1'),
      edsCluster('c2', { serviceName: 'c2-eds' }),
      loadAssignment('c1', [{ zone: 'z1', endpoints: [{ port: 1001, labels: { version: 'v1' } }] }]),
      loadAssignment('c2-eds', [{ zone: 'z2', endpoints: [{ port: 1002 }, { port: 1003 }] }]),
    ),
    undefined,
  );
}

describe('XdsDependencyManager: assembly (gRFC A74)', () => {
  it('publishes one complete snapshot with routes, clusters and endpoints', () => {
    const source = new StaticResourceSource();
    fullConfig(source);
    const { configs, manager } = start(source);
    assert.equal(configs().length, 1);
    const c = configs()[0]!;
    assert.equal(c.version, 1);
    assert.equal(c.virtualHost?.name, 'vh');
    assert.equal(c.routeTable?.routes.length, 2);
    assert.deepEqual([...c.clusters.keys()].sort(), ['c1', 'c2']);
    const c2 = c.clusters.get('c2')!;
    assert.equal(c2.status, 'ok');
    assert.deepEqual(c2.status === 'ok' && c2.endpoints.map((e) => e.key), [
      '127.0.0.1:1002',
      '127.0.0.1:1003',
    ]);
    const c1 = c.clusters.get('c1')!;
    assert.ok(c1.status === 'ok');
    assert.deepEqual(c1.endpoints[0]!.labels, { version: 'v1' });
    assert.equal(c1.endpoints[0]!.locality.zone, 'z1');
    assert.ok(Object.isFrozen(c));
    assert.deepEqual(source.watched(CLUSTER_LOAD_ASSIGNMENT_TYPE_URL), ['c1', 'c2-eds']);
    manager.close();
    assert.deepEqual(source.watched(LISTENER_TYPE_URL), []);
    assert.deepEqual(source.watched(CLUSTER_TYPE_URL), []);
  });

  it('publishes nothing until every piece has arrived, then once', () => {
    const source = new StaticResourceSource();
    const { configs } = start(source);
    source.set(clientListener(L));
    assert.deepEqual(source.watched(ROUTE_CONFIGURATION_TYPE_URL), [L]);
    source.set(
      routeConfiguration(
        L,
        vhosts([
          route(prefix(), [
            ['c1', 1],
            ['c2', 1],
          ]),
        ]),
      ),
    );
    assert.deepEqual(source.watched(CLUSTER_TYPE_URL), ['c1', 'c2']);
    source.set(edsCluster('c1'), loadAssignment('c1', [{ endpoints: [{ port: 1 }] }]));
    assert.equal(configs().length, 0, 'c2 still missing');
    source.set(edsCluster('c2'));
    assert.equal(configs().length, 0, 'c2 endpoints still missing');
    source.set(loadAssignment('c2', [{ endpoints: [{ port: 2 }] }]));
    assert.equal(configs().length, 1);
  });

  it('keeps the old snapshot while a new route waits for its cluster, then swaps in one step', () => {
    const source = new StaticResourceSource();
    fullConfig(source);
    const { configs } = start(source);
    source.set(routeConfiguration(L, vhosts([route(prefix(), 'c3')])));
    assert.equal(configs().length, 1, 'c3 is not known yet: no half config');
    source.set(edsCluster('c3'));
    assert.equal(configs().length, 1);
    source.set(loadAssignment('c3', [{ endpoints: [{ port: 3 }] }]));
    assert.equal(configs().length, 2);
    const next = configs()[1]!;
    assert.deepEqual([...next.clusters.keys()], ['c3']);
    assert.deepEqual(source.watched(CLUSTER_TYPE_URL), ['c3'], 'unreferenced clusters are unwatched');
    assert.equal(configs()[0]!.clusters.size, 2, 'the old snapshot is unchanged');
  });

  it('keeps the last good config on a NACK and reports nothing fatal', () => {
    const source = new StaticResourceSource();
    fullConfig(source);
    const { configs, updates } = start(source);
    const nack = source.set(
      routeConfiguration(L, [
        {
          name: 'vh',
          domains: [L],
          routes: [route({ pathSpecifier: { case: 'safeRegex', value: { regex: '(?=x)' } } }, 'c1')],
        },
      ]),
    );
    assert.match(nack ?? '', /virtual_hosts\[0\]\.routes\[0\]\.match\.safe_regex\.regex/);
    assert.equal(configs().length, 1);
    assert.equal(updates.length, 1);
    assert.deepEqual(
      updates.filter((u) => u.kind === 'error'),
      [],
    );
  });

  it('fails calls when the listener does not exist, and recovers when it comes', () => {
    const source = new StaticResourceSource();
    fullConfig(source);
    const { updates, manager } = start(source);
    source.remove(LISTENER_TYPE_URL, L);
    const last = updates.at(-1)!;
    assert.equal(last.kind, 'error');
    assert.ok(last.kind === 'error' && last.fatal);
    assert.match(last.kind === 'error' ? last.message : '', /listener "greeter:50051" does not exist/);
    assert.equal(manager.config, undefined);
    source.set(clientListener(L));
    assert.equal(updates.at(-1)!.kind, 'config');
  });

  it('fails when the RDS resource does not exist', () => {
    const source = new StaticResourceSource();
    source.set(clientListener(L, { rds: 'missing-rds' }));
    source.remove(ROUTE_CONFIGURATION_TYPE_URL, 'missing-rds');
    const { updates } = start(source);
    assert.match(JSON.stringify(updates.at(-1)), /route configuration \\"missing-rds\\" does not exist/);
  });

  it('marks a missing cluster unavailable and a missing EDS resource as no endpoints', () => {
    const source = new StaticResourceSource();
    source.set(
      clientListener(L),
      routeConfiguration(L, vhosts([route(prefix('/x'), 'gone'), route(prefix(), 'c1')])),
      edsCluster('c1'),
    );
    source.remove(CLUSTER_TYPE_URL, 'gone');
    source.remove(CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, 'c1');
    const { configs } = start(source);
    const c = configs()[0]!;
    assert.deepEqual(c.clusters.get('gone'), {
      status: 'unavailable',
      name: 'gone',
      reason: 'cluster "gone" does not exist',
    });
    const c1 = c.clusters.get('c1')!;
    assert.ok(c1.status === 'ok' && c1.endpoints.length === 0);
  });

  it('uses an inline route configuration and switches between RDS names', () => {
    const source = new StaticResourceSource();
    source.set(
      clientListener(L, { inline: vhosts([route(prefix(), 'c1')]) }),
      edsCluster('c1'),
      loadAssignment('c1', [{ endpoints: [{ port: 1 }] }]),
      routeConfiguration('rds-b', vhosts([route(prefix(), 'c1')])),
    );
    const { configs } = start(source);
    assert.equal(configs()[0]!.routeConfig.name, `${L}-inline`);
    assert.deepEqual(source.watched(ROUTE_CONFIGURATION_TYPE_URL), []);
    source.set(clientListener(L, { rds: 'rds-b' }));
    assert.equal(configs().at(-1)!.routeConfig.name, 'rds-b');
    assert.deepEqual(source.watched(ROUTE_CONFIGURATION_TYPE_URL), ['rds-b']);
  });

  it('picks the virtual host by the authority; without one every call has no routes', () => {
    const source = new StaticResourceSource();
    source.set(
      clientListener(L),
      routeConfiguration(L, [
        { name: 'other', domains: ['other:1'], routes: [route(prefix(), 'c9')] },
        { name: 'mine', domains: ['greeter:*'], routes: [route(prefix(), 'c1')] },
      ]),
      edsCluster('c1'),
      loadAssignment('c1', [{ endpoints: [{ port: 1 }] }]),
    );
    const { configs } = start(source);
    assert.equal(configs()[0]!.virtualHost?.name, 'mine');
    assert.deepEqual(source.watched(CLUSTER_TYPE_URL), ['c1'], 'only the chosen virtual host counts');
    source.set(
      routeConfiguration(L, [{ name: 'other', domains: ['other:1'], routes: [route(prefix(), 'c9')] }]),
    );
    assert.equal(configs().at(-1)!.virtualHost, undefined);
    assert.equal(configs().at(-1)!.routeTable, undefined);
  });

  it('reports errors before the first config without failing later ones', () => {
    const source = new StaticResourceSource();
    const { updates } = start(source);
    const nack = source.set(clientListener(L, { rds: '' }));
    assert.match(nack ?? '', /route_config_name: must not be empty/);
    const first = updates[0]!;
    assert.ok(first.kind === 'error' && !first.fatal);
    assert.match(
      first.kind === 'error' ? first.message : '',
      /listener "greeter:50051": .*route_config_name/,
    );
  });
});
