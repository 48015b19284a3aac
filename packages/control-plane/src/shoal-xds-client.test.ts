// Shoal's own xDS client (@shoal/xds XdsClient, state of the world and delta) against the control
// plane over a real ADS stream: config applied through the admin path reaches its watchers.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
  CLUSTER_TYPE_URL,
  createXdsClient,
  LISTENER_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
  type XdsClient,
  type XdsClusterLoadAssignment,
  type XdsRouteConfiguration,
} from '@shoal/xds';
import { TESTDATA } from '../test/bookinfo-fixture.js';
import { ControlPlane } from './control-plane.js';

const REGISTRY = `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: reviews }
spec:
  hosts: [reviews.default.svc.cluster.local]
  ports: [{ number: 9080, name: grpc }]
  resolution: STATIC
  workloadSelector: { labels: { app: reviews } }
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: { name: reviews-v1 }
spec: { address: 10.0.0.1, ports: { grpc: 9081 }, labels: { app: reviews, version: v1 }, locality: us/a }
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: { name: reviews-v2 }
spec: { address: 10.0.0.2, ports: { grpc: 9082 }, labels: { app: reviews, version: v2 }, locality: us/b }
`;
const sample = (file: string) => readFileSync(TESTDATA + file, 'utf8');
const FQDN = 'reviews.default.svc.cluster.local';

/** Resolves with the watcher's next value that passes `accept`. */
function next<T>(
  client: XdsClient,
  typeUrl: string,
  name: string,
  accept: (v: T) => boolean = () => true,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no acceptable ${name} within 5 s`)), 5000);
    const cancel = client.watch<T>(typeUrl, name, {
      onUpdate: (v) => {
        if (!accept(v)) return;
        clearTimeout(timer);
        setImmediate(cancel);
        resolve(v);
      },
      onError: () => {},
      onDoesNotExist: () => {},
    });
  });
}

const weights = (rc: XdsRouteConfiguration) => {
  const action = rc.virtualHosts[0]?.routes[0]?.action;
  return action?.kind === 'route' ? action.clusters.map((c) => [c.name.split('|')[2], c.weight]) : [];
};

for (const protocol of ['sotw', 'delta'] as const) {
  describe(`@shoal/xds client (${protocol}) against the control plane`, () => {
    const cp = new ControlPlane({ xdsPort: 0, adminPort: 0 });
    let client: XdsClient;

    before(async () => {
      const { xds } = await cp.start();
      await cp.store.apply(
        `${REGISTRY}---\n${sample('samples-bookinfo-networking-destination-rule-all.yaml')}`,
      );
      await cp.store.apply(sample('samples-bookinfo-networking-virtual-service-reviews-80-20.yaml'));
      client = createXdsClient({
        protocol,
        bootstrap: {
          config: {
            xds_servers: [
              {
                server_uri: `127.0.0.1:${xds.port}`,
                channel_creds: [{ type: 'insecure' }],
                server_features: ['xds_v3'],
              },
            ],
            node: {
              id: `shoal-${protocol}`,
              metadata: { NAMESPACE: 'default' },
              locality: { region: 'us', zone: 'a' },
            },
          },
        },
      });
    });
    after(async () => {
      await client.close();
      await cp.stop(100);
    });

    it('listener, routes, cluster and endpoints decode and validate; a new weight arrives', async () => {
      const listener = await next<{ name: string }>(client, LISTENER_TYPE_URL, 'reviews:9080');
      assert.equal(listener.name, 'reviews:9080');
      const rc = await next<XdsRouteConfiguration>(client, ROUTE_CONFIGURATION_TYPE_URL, 'reviews:9080');
      assert.deepEqual(weights(rc), [
        ['v1', 80],
        ['v2', 20],
      ]);
      const cluster = await next<{ name: string }>(client, CLUSTER_TYPE_URL, `outbound|9080|v1|${FQDN}`);
      assert.equal(cluster.name, `outbound|9080|v1|${FQDN}`);
      const cla = await next<XdsClusterLoadAssignment>(
        client,
        CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
        `outbound|9080||${FQDN}`,
      );
      assert.deepEqual(
        cla.localities.map((l) => [l.locality.zone, l.priority]).sort(),
        [
          ['a', 0],
          ['b', 1],
        ],
        'the same zone first',
      );
      const moved = next<XdsRouteConfiguration>(
        client,
        ROUTE_CONFIGURATION_TYPE_URL,
        'reviews:9080',
        (r) => weights(r)[0]?.[1] === 35,
      );
      await cp.store.apply(
        sample('samples-bookinfo-networking-virtual-service-reviews-80-20.yaml')
          .replace('80', '35')
          .replace('20', '65'),
      );
      assert.deepEqual(weights(await moved), [
        ['v1', 35],
        ['v2', 65],
      ]);
      const status = cp.ads.clients().find((c) => c.nodeId === `shoal-${protocol}`);
      assert.equal(status?.protocol, protocol);
    });
  });
}
