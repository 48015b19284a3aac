// The built-in resource types end to end: istiod-named LDS → RDS → CDS → EDS resources, made with
// the Envoy message schemas, served by a real ADS server and decoded by the real decoders; an
// invalid cluster is NACKed with its name and field path while the last good one stays.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import { AdsTestServer } from '../../test/ads-test-server.js';
import { endpointsAny } from '../../test/test-resource-types.js';
import { WatchRecorder } from '../../test/watch-recorder.js';
import { parseBootstrap } from '../bootstrap.js';
import * as envoy from '../envoy.js';
import type { XdsCluster } from '../resources/cluster.js';
import type { XdsClusterLoadAssignment } from '../resources/cluster-load-assignment.js';
import type { XdsListener } from '../resources/listener.js';
import type { XdsRouteConfiguration } from '../resources/route-configuration.js';
import {
  CLUSTER_TYPE_URL as CDS,
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL as EDS,
  LISTENER_TYPE_URL as LDS,
  ROUTE_CONFIGURATION_TYPE_URL as RDS,
} from '../type-urls.js';
import { createXdsClient } from './create-xds-client.js';
import type { XdsClient } from './xds-client.js';

const HOST = 'reviews.default.svc.cluster.local:9080';
const CLUSTER = 'outbound|9080||reviews.default.svc.cluster.local';
const ads = { configSourceSpecifier: { case: 'ads' as const, value: {} } };

const listener = anyPack(
  envoy.ListenerSchema,
  create(envoy.ListenerSchema, {
    name: HOST,
    apiListener: {
      apiListener: anyPack(
        envoy.HttpConnectionManagerSchema,
        create(envoy.HttpConnectionManagerSchema, {
          routeSpecifier: { case: 'rds', value: { configSource: ads, routeConfigName: HOST } },
          httpFilters: [
            {
              name: 'envoy.filters.http.router',
              configType: {
                case: 'typedConfig',
                value: anyPack(envoy.RouterSchema, create(envoy.RouterSchema)),
              },
            },
          ],
        }),
      ),
    },
  }),
);

const routes = anyPack(
  envoy.RouteConfigurationSchema,
  create(envoy.RouteConfigurationSchema, {
    name: HOST,
    virtualHosts: [
      {
        name: HOST,
        domains: ['reviews.default.svc.cluster.local', HOST],
        routes: [
          {
            match: { pathSpecifier: { case: 'prefix', value: '' } },
            action: { case: 'route', value: { clusterSpecifier: { case: 'cluster', value: CLUSTER } } },
          },
        ],
      },
    ],
  }),
);

function clusterAny(lbPolicy = envoy.Cluster_LbPolicy.ROUND_ROBIN) {
  return anyPack(
    envoy.ClusterSchema,
    create(envoy.ClusterSchema, {
      name: CLUSTER,
      clusterDiscoveryType: { case: 'type', value: envoy.Cluster_DiscoveryType.EDS },
      edsClusterConfig: { edsConfig: ads, serviceName: CLUSTER },
      lbPolicy,
    }),
  );
}

describe('createXdsClient with the built-in resource types', () => {
  let server: AdsTestServer;
  let client: XdsClient;
  beforeEach(async () => {
    server = await new AdsTestServer().start();
    client = createXdsClient({
      bootstrap: parseBootstrap({
        xds_servers: [{ server_uri: server.address, channel_creds: [{ type: 'insecure' }] }],
      }),
    });
  });
  afterEach(async () => {
    await client.close();
    await server.stop();
  });

  it('follows Listener → RouteConfiguration → Cluster → ClusterLoadAssignment', async () => {
    server.set(LDS, '1', { [HOST]: listener });
    server.set(RDS, '1', { [HOST]: routes });
    server.set(CDS, '1', { [CLUSTER]: clusterAny() });
    server.set(EDS, '1', { [CLUSTER]: endpointsAny(CLUSTER, '10.1.0.4:9080', '10.1.0.5:9080') });

    const lds = new WatchRecorder<XdsListener>();
    client.watch(LDS, HOST, lds);
    const l = await lds.event(0);
    assert.ok(l.kind === 'update' && l.value.kind === 'client');
    const route = l.value.http.route;
    const rdsName = route.kind === 'rds' ? route.routeConfigName : '';
    assert.equal(rdsName, HOST);

    const rds = new WatchRecorder<XdsRouteConfiguration>();
    client.watch(RDS, rdsName, rds);
    const r = await rds.event(0);
    assert.ok(r.kind === 'update');
    const action = r.value.virtualHosts[0]?.routes[0]?.action;
    assert.ok(action?.kind === 'route' && action.clusters[0]?.name === CLUSTER, JSON.stringify(action));

    const cds = new WatchRecorder<XdsCluster>();
    client.watch(CDS, CLUSTER, cds);
    const c = await cds.event(0);
    assert.ok(c.kind === 'update');
    assert.equal(c.value.name, CLUSTER);

    const eds = new WatchRecorder<XdsClusterLoadAssignment>();
    client.watch(EDS, CLUSTER, eds);
    const e = await eds.event(0);
    assert.ok(e.kind === 'update');
    const addresses = e.value.localities.flatMap((l) => l.endpoints.map((ep) => ep.address));
    assert.deepEqual(
      addresses.map((a) => `${a.host}:${a.port}`),
      ['10.1.0.4:9080', '10.1.0.5:9080'],
    );
  });

  it('NACKs an invalid cluster with its name and field path, keeping the last good one', async () => {
    server.set(CDS, '3', { [CLUSTER]: clusterAny() });
    const cds = new WatchRecorder<XdsCluster>();
    client.watch(CDS, CLUSTER, cds);
    await cds.event(0);
    server.set(CDS, '4', { [CLUSTER]: clusterAny(envoy.Cluster_LbPolicy.CLUSTER_PROVIDED) });
    const nack = await server.nextRequest((r) => r.request.errorDetail !== undefined);
    assert.equal(nack.request.versionInfo, '3');
    assert.equal(
      nack.request.errorDetail?.message,
      `cluster[${CLUSTER}]: lb_policy: unsupported policy CLUSTER_PROVIDED`,
    );
    const err = await cds.event(1);
    assert.ok(err.kind === 'error');
    assert.match(
      err.error.rawMessage,
      /^xDS server 127\.0\.0\.1:\d+: NACK cds version 4: cluster\[outbound\|9080\|\|reviews\.default\.svc\.cluster\.local\]: lb_policy: unsupported policy CLUSTER_PROVIDED$/,
    );
    const [snap] = client.dump();
    assert.equal(snap?.status, 'nacked');
    assert.equal(snap?.version, '3');
  });
});
