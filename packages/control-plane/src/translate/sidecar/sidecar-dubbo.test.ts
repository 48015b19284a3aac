// Dubbo's rules reach an Envoy sidecar as they reach a proxyless consumer: its port's route config
// carries the router's routes, and since Envoy takes every cluster from wildcard CDS (a proxyless
// client asks for the ones its routes name), the Dubbo subsets those routes name are in it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create } from '@bufbuild/protobuf';
import {
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
  CLUSTER_TYPE_URL,
  envoy,
  ROUTE_CONFIGURATION_TYPE_URL,
} from '@shoal/xds';
import { sidecarNode } from '../../../test/bookinfo-fixture.js';
import * as docs from '../../../test/dubbo-doc-rules.js';
import { appInput, host, PORT } from '../../../test/dubbo-harness.js';
import { Snapshot } from '../../snapshot/snapshot.js';
import { referencedClusters } from '../resource-references.js';
import { Translator } from '../translator.js';

const wildcard = { wildcard: true, names: new Set<string>() };
const byName = (names: string[]) => ({ wildcard: false, names: new Set(names) });
const COMMENTS = 'org.apache.dubbo.samples.CommentService';
const instances = [
  { labels: { region: 'Hangzhou' } },
  { labels: { region: 'Beijing' } },
  { labels: { region: 'Beijing' } },
];

describe("sidecar translation: Dubbo's rules", () => {
  it('the route config carries the condition router; wildcard CDS holds its subsets; EDS narrows them', () => {
    const t = new Translator(appInput('shop-comment', [COMMENTS], instances, docs.CONDITION_REFERENCE));
    const node = sidecarNode('10.1.0.5', { app: 'shop-frontend' });
    const snapshot = new Snapshot(t);
    const rc = snapshot
      .resources(ROUTE_CONFIGURATION_TYPE_URL, byName([String(PORT)]), node)
      .resources.get(String(PORT))?.message as envoy.RouteConfiguration | undefined;
    assert.ok(rc, 'route config 50051');
    const vh = rc.virtualHosts.find((v) => v.name === `${host('shop-comment')}:${PORT}`);
    assert.ok(vh);
    // method=getComment => region=Hangzhou: a route for the method first, to a Dubbo subset.
    const routed = referencedClusters(create(envoy.RouteConfigurationSchema, { virtualHosts: [vh] }));
    const dubbo = [...new Set(routed.filter((c) => c.split('|')[2]?.startsWith('dubbo:')))];
    assert.ok(dubbo.length > 0, `Dubbo subsets among ${routed.join(', ')}`);
    const clusters = snapshot.resources(CLUSTER_TYPE_URL, wildcard, node).resources;
    for (const name of new Set(routed)) assert.ok(clusters.has(name), `wildcard CDS has ${name}`);
    assert.deepEqual(snapshot.inconsistencies, []);
    assert.deepEqual(t.failures, []);
    // The getComment route's subset holds the Hangzhou instance only.
    const getComment = vh.routes.find((r) => {
      const path = r.match?.pathSpecifier;
      return path?.case === 'safeRegex' && path.value.regex.includes('getcomment');
    });
    const spec = getComment?.action.case === 'route' ? getComment.action.value.clusterSpecifier : undefined;
    assert.equal(spec?.case, 'cluster');
    assert.ok(dubbo.includes(spec!.value as string));
    const cla = t.resource(CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, spec!.value as string, node)
      ?.message as envoy.ClusterLoadAssignment;
    const addresses = cla.endpoints.flatMap((l) =>
      l.lbEndpoints.map((e) => {
        const id = e.hostIdentifier;
        return id.case === 'endpoint' ? id.value.address?.address.value : undefined;
      }),
    );
    assert.deepEqual(
      addresses.map((a) => (a as envoy.SocketAddress).address),
      ['10.0.0.1'],
    );
  });

  it('without Dubbo rules, wildcard CDS is the outbound and catch-all clusters only', () => {
    const t = new Translator(appInput('shop-comment', [COMMENTS], instances, ''));
    const node = sidecarNode('10.1.0.5', { app: 'shop-frontend' });
    const names = [...new Snapshot(t).resources(CLUSTER_TYPE_URL, wildcard, node).resources.keys()];
    assert.ok(names.every((n) => !n.includes('dubbo:')));
    assert.ok(names.includes(`outbound|${PORT}||${host('shop-comment')}`));
  });
});
