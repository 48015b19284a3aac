// CSDS (gRFC A40) over a real @shoal/rpc server and client: every resource state with its version,
// timestamps, raw resource and error state; streaming; exclude_resource_contents; node_matchers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { anyUnpack } from '@bufbuild/protobuf/wkt';
import { Code, createClient, RpcError, Server } from '@shoal/rpc';
import { AdsTestServer } from '../../test/ads-test-server.js';
import {
  clusterAny,
  endpointsAny,
  testClusterType,
  testEndpointsType,
} from '../../test/test-resource-types.js';
import { WatchRecorder } from '../../test/watch-recorder.js';
import { parseBootstrap } from '../bootstrap.js';
import { XdsClient } from '../client/xds-client.js';
import { ClientResourceStatus } from '../gen/envoy/admin/v3/config_dump_shared_pb.js';
import { ClusterLoadAssignmentSchema } from '../gen/envoy/config/endpoint/v3/endpoint_pb.js';
import { ClientStatusDiscoveryService } from '../gen/envoy/service/status/v3/csds_pb.js';
import { CLUSTER_TYPE_URL as CDS, CLUSTER_LOAD_ASSIGNMENT_TYPE_URL as EDS } from '../type-urls.js';
import { registerCsds } from './csds-service.js';

async function* one<T>(item: T): AsyncGenerator<T> {
  yield item;
}

describe('CSDS', () => {
  const ads = new AdsTestServer();
  const admin = new Server({ onError: () => {} });
  let xds: XdsClient;
  let csds: ReturnType<typeof createClient<typeof ClientStatusDiscoveryService>>;

  before(async () => {
    await ads.start();
    xds = new XdsClient({
      bootstrap: parseBootstrap({
        xds_servers: [{ server_uri: ads.address, channel_creds: [{ type: 'insecure' }] }],
        node: { id: 'csds-test', cluster: 'shop' },
      }),
      doesNotExistTimeoutMs: 60_000,
    })
      .registerResourceType(testEndpointsType)
      .registerResourceType(testClusterType);
    ads.set(EDS, 'e1', {
      good: endpointsAny('good', '10.0.0.1:80'),
      bad: endpointsAny('bad', '10.0.0.2:80'),
    });
    ads.set(CDS, 'c1', { present: clusterAny('present') });
    const good = new WatchRecorder();
    const bad = new WatchRecorder();
    const gone = new WatchRecorder();
    xds.watch(EDS, 'good', good);
    xds.watch(EDS, 'bad', bad);
    xds.watch(EDS, 'pending', new WatchRecorder());
    xds.watch(CDS, 'present', new WatchRecorder());
    await Promise.all([good.event(0), bad.event(0)]);
    ads.set(EDS, 'e2', { good: endpointsAny('good', '10.0.0.1:80'), bad: endpointsAny('bad', '10.0.0.2:0') });
    await bad.event(1);
    xds.watch(CDS, 'gone', gone);
    ads.set(CDS, 'c2', { present: clusterAny('present'), gone: clusterAny('gone') });
    await gone.event(0);
    ads.set(CDS, 'c3', { present: clusterAny('present') });
    await gone.event(1);
    registerCsds(admin, xds);
    const { port } = await admin.listen(0);
    csds = createClient(ClientStatusDiscoveryService, `127.0.0.1:${port}`);
  });
  after(async () => {
    await xds.close();
    await ads.stop();
    await admin.close(0);
  });

  it('reports each resource with its status, version, timestamps, raw resource and error state', async () => {
    const started = Date.now();
    const response = await csds.fetchClientStatus({});
    assert.equal(response.config.length, 1);
    const [config] = response.config;
    assert.equal(config?.node?.id, 'csds-test');
    assert.equal(config?.node?.cluster, 'shop');
    const byName = new Map(config?.genericXdsConfigs.map((g) => [g.name, g]));
    assert.deepEqual(
      config?.genericXdsConfigs.map((g) => `${g.typeUrl.split('.').pop()}/${g.name}`),
      [
        'Cluster/gone',
        'Cluster/present',
        'ClusterLoadAssignment/bad',
        'ClusterLoadAssignment/good',
        'ClusterLoadAssignment/pending',
      ],
    );

    const good = byName.get('good');
    assert.equal(good?.clientStatus, ClientResourceStatus.ACKED);
    assert.equal(good?.versionInfo, 'e2');
    assert.equal(good?.xdsConfig?.typeUrl, EDS);
    const cla = good?.xdsConfig && anyUnpack(good.xdsConfig, ClusterLoadAssignmentSchema);
    assert.equal(cla?.clusterName, 'good');
    assert.ok(good?.lastUpdated && Number(good.lastUpdated.seconds) * 1000 <= started);
    assert.equal(good?.errorState, undefined);

    const bad = byName.get('bad');
    assert.equal(bad?.clientStatus, ClientResourceStatus.NACKED);
    assert.equal(bad?.versionInfo, 'e1', 'the accepted version');
    assert.equal(
      anyUnpack(bad!.xdsConfig!, ClusterLoadAssignmentSchema)?.endpoints.length,
      1,
      'last good kept',
    );
    assert.equal(bad?.errorState?.versionInfo, 'e2');
    assert.match(
      bad?.errorState?.details ?? '',
      /^cluster_load_assignment\[bad\]: endpoints\[0\]\.lb_endpoints\[0\].*port_value: must be 1\.\.65535, got 0$/,
    );
    assert.ok(bad?.errorState?.lastUpdateAttempt);
    assert.equal(bad?.errorState?.failedConfiguration?.typeUrl, EDS);

    assert.equal(byName.get('pending')?.clientStatus, ClientResourceStatus.REQUESTED);
    assert.equal(byName.get('pending')?.xdsConfig, undefined);
    assert.equal(byName.get('present')?.clientStatus, ClientResourceStatus.ACKED);
    const gone = byName.get('gone');
    assert.equal(gone?.clientStatus, ClientResourceStatus.DOES_NOT_EXIST);
    assert.equal(gone?.xdsConfig, undefined);
  });

  it('leaves resource contents out on request, and answers every message of a stream', async () => {
    const answers = [];
    for await (const r of csds.streamClientStatus(one({ excludeResourceContents: true }))) answers.push(r);
    assert.equal(answers.length, 1);
    const configs = answers[0]?.config[0]?.genericXdsConfigs ?? [];
    assert.equal(configs.length, 5);
    assert.ok(
      configs.every((g) => g.xdsConfig === undefined && g.errorState?.failedConfiguration === undefined),
    );
    assert.ok(configs.some((g) => g.errorState?.details));
  });

  it('reports several clients, each with its scope', async () => {
    const other = new XdsClient({
      bootstrap: parseBootstrap({
        xds_servers: [{ server_uri: ads.address, channel_creds: [{ type: 'insecure' }] }],
        node: { id: 'second' },
      }),
    });
    const server = new Server({ onError: () => {} });
    registerCsds(server, [{ client: xds, scope: 'xds:///reviews:9080' }, other]);
    const { port } = await server.listen(0);
    try {
      const response = await createClient(
        ClientStatusDiscoveryService,
        `127.0.0.1:${port}`,
      ).fetchClientStatus({});
      assert.deepEqual(
        response.config.map((c) => [c.clientScope, c.node?.id, c.genericXdsConfigs.length]),
        [
          ['xds:///reviews:9080', 'csds-test', 5],
          ['', 'second', 0],
        ],
      );
    } finally {
      await other.close();
      await server.close(0);
    }
  });

  it('rejects node_matchers', async () => {
    await assert.rejects(
      csds.fetchClientStatus({ nodeMatchers: [{}] }),
      (e: unknown) =>
        e instanceof RpcError && e.code === Code.INVALID_ARGUMENT && /node_matchers/.test(e.rawMessage),
    );
  });
});
