import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
  CLUSTER_TYPE_URL,
  LISTENER_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
} from '@shoal/xds';
import { bookinfoInput, clientNode, fqdn, reviewsSplit } from '../../test/bookinfo-fixture.js';
import type { MeshInput } from '../translate/mesh-input.js';
import { Translator } from '../translate/translator.js';
import { Snapshot } from './snapshot.js';
import type { SnapshotInconsistency } from './snapshot-consistency.js';

const node = clientNode();
const DR = 'samples-bookinfo-networking-destination-rule-all.yaml';
const WILDCARD = { wildcard: true, names: new Set<string>() };
const named = (...names: string[]) => ({ wildcard: false, names: new Set(names) });

/** Every type, as a client that asks for everything it is pointed at would. */
function askForEverything(snapshot: Snapshot, n = node): void {
  const listeners = snapshot.resources(LISTENER_TYPE_URL, WILDCARD, n).resources;
  snapshot.resources(ROUTE_CONFIGURATION_TYPE_URL, named(...listeners.keys()), n);
  const clusters = snapshot.resources(CLUSTER_TYPE_URL, WILDCARD, n).resources;
  snapshot.resources(CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, named(...clusters.keys()), n);
}

function withReports(input: MeshInput): { snapshot: Snapshot; reports: SnapshotInconsistency[] } {
  const reports: SnapshotInconsistency[] = [];
  const snapshot = new Snapshot(new Translator(input), { onInconsistency: (i) => reports.push(i) });
  return { snapshot, reports };
}

describe('snapshot: resource sets', () => {
  it('one resource set (and version) per subscription and context, shared across clients', () => {
    const t = new Translator(bookinfoInput([DR]));
    const snapshot = new Snapshot(t);
    const sub = { wildcard: true, names: new Set<string>() };
    const a = snapshot.resources(CLUSTER_TYPE_URL, sub, node);
    const b = snapshot.resources(
      CLUSTER_TYPE_URL,
      { wildcard: true, names: new Set<string>() },
      clientNode('default'),
    );
    assert.equal(a, b);
    assert.equal(a.resources.size, t.wildcardNames(CLUSTER_TYPE_URL).length);
    const named = snapshot.resources(
      CLUSTER_TYPE_URL,
      { wildcard: false, names: new Set([`outbound|9080||${fqdn('reviews')}`]) },
      node,
    );
    assert.notEqual(named.version, a.version);
    assert.notEqual(
      snapshot.resources(CLUSTER_TYPE_URL, sub, clientNode('other')),
      a,
      'another namespace is another context',
    );
  });

  it('response versions are the snapshot version and the set hash, one string per hash', () => {
    const snapshot = new Snapshot(new Translator(bookinfoInput([DR], { version: '7.3' })));
    const set = snapshot.resources(CLUSTER_TYPE_URL, WILDCARD, node);
    assert.equal(snapshot.version, '7.3');
    assert.equal(snapshot.responseVersion(set.version), `7.3-${set.version.slice(0, 8)}`);
  });
});

describe('snapshot: consistency', () => {
  it('the Bookinfo snapshot is whole: every reference of every type resolves', () => {
    const { snapshot, reports } = withReports(
      bookinfoInput([DR], { virtualServices: [reviewsSplit({ v1: 50, v2: 50 })] }),
    );
    askForEverything(snapshot);
    askForEverything(snapshot, clientNode('other', { region: 'us-east', zone: 'us-east-1b', subZone: '' }));
    assert.deepEqual(reports, []);
    assert.deepEqual(snapshot.inconsistencies, []);
  });

  it('a route to a subset nothing defines is reported once per snapshot, and still sent', () => {
    const { snapshot, reports } = withReports(
      bookinfoInput([DR], { virtualServices: [reviewsSplit({ v1: 50, v9: 50 })] }),
    );
    const missing = `outbound|9080|v9|${fqdn('reviews')}`;
    const routes = snapshot.resources(ROUTE_CONFIGURATION_TYPE_URL, named('reviews:9080'), node);
    assert.ok(routes.resources.has('reviews:9080'), 'the route config is sent as Istio sends it');
    // Another client class and another subscription reach the same route config.
    snapshot.resources(
      ROUTE_CONFIGURATION_TYPE_URL,
      named('reviews:9080', 'ratings:9080'),
      clientNode('other'),
    );
    assert.deepEqual(
      reports.map((r) => [r.typeUrl, r.name, r.missing.typeUrl, r.missing.name]),
      [[ROUTE_CONFIGURATION_TYPE_URL, 'reviews:9080', CLUSTER_TYPE_URL, missing]],
    );
    assert.equal(
      reports[0]?.message,
      `route config "reviews:9080" names cluster "${missing}", which the snapshot does not have: calls routed there fail with UNAVAILABLE`,
    );
    assert.equal(snapshot.inconsistencies.length, 1);
  });

  it('a route config that failed to build is reported by the listener that names it', () => {
    const broken = reviewsSplit({ v1: 100 }, { timeout: 'soon' }); // not valid Istio: the store would reject it
    const { snapshot, reports } = withReports(bookinfoInput([DR], { virtualServices: [broken] }));
    const listeners = snapshot.resources(LISTENER_TYPE_URL, named('reviews:9080'), node);
    assert.ok(
      listeners.resources.has('reviews:9080'),
      'the listener stays: clients keep the route config they hold',
    );
    assert.equal(snapshot.failures.length, 1);
    assert.deepEqual(
      reports.map((r) => r.message),
      ['listener "reviews:9080" names route config "reviews:9080", which the snapshot does not have'],
    );
  });

  it('clusters and endpoints name each other', () => {
    const { snapshot, reports } = withReports(bookinfoInput([DR]));
    const clusters = snapshot.resources(CLUSTER_TYPE_URL, WILDCARD, node).resources;
    const endpoints = snapshot.resources(CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, named(...clusters.keys()), node);
    assert.deepEqual([...endpoints.resources.keys()], [...clusters.keys()]);
    assert.deepEqual(reports, []);
  });
});
