// gRFC A47 authorities: an xdstp resource name is requested from its authority's servers (or the
// top-level ones when the authority lists none), each server on its own ADS stream.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { AdsTestServer } from '../../test/ads-test-server.js';
import { endpointsAny, type TestEndpoints, testEndpointsType } from '../../test/test-resource-types.js';
import { WatchRecorder } from '../../test/watch-recorder.js';
import { parseBootstrap } from '../bootstrap.js';
import { CLUSTER_LOAD_ASSIGNMENT_TYPE_URL as EDS } from '../type-urls.js';
import { XdsClient } from './xds-client.js';

describe('xDS authorities', () => {
  let server: AdsTestServer;
  let client: XdsClient | undefined;
  beforeEach(async () => {
    server = await new AdsTestServer().start();
  });
  afterEach(async () => {
    await client?.close();
    await server.stop();
  });

  it('opens a stream per server: xdstp names go to their authority (gRFC A47)', async () => {
    const other = await new AdsTestServer().start();
    try {
      const name = 'xdstp://mesh.example/envoy.config.endpoint.v3.ClusterLoadAssignment/b';
      const xds = new XdsClient({
        bootstrap: parseBootstrap({
          xds_servers: [{ server_uri: server.address, channel_creds: [{ type: 'insecure' }] }],
          authorities: {
            'mesh.example': {
              xds_servers: [{ server_uri: other.address, channel_creds: [{ type: 'insecure' }] }],
            },
            'same.example': {},
          },
        }),
      }).registerResourceType(testEndpointsType);
      client = xds;
      server.set(EDS, '1', { a: endpointsAny('a', '10.0.0.1:80') });
      other.set(EDS, '9', { [name]: endpointsAny(name, '10.0.0.2:80') });
      const a = new WatchRecorder<TestEndpoints>();
      const b = new WatchRecorder<TestEndpoints>();
      const c = new WatchRecorder<TestEndpoints>();
      xds.watch(EDS, 'a', a);
      xds.watch(EDS, name, b);
      xds.watch(EDS, 'xdstp://same.example/envoy.config.endpoint.v3.ClusterLoadAssignment/c', c);
      assert.equal((await a.event(0)).kind, 'update');
      assert.deepEqual(await b.event(0), {
        kind: 'update',
        value: { cluster: name, addresses: ['10.0.0.2:80'] },
      });
      const names = (s: AdsTestServer) => new Set(s.requests.flatMap((r) => r.request.resourceNames));
      assert.deepEqual([...names(other)], [name]);
      assert.ok(
        names(server).has('a') &&
          names(server).has('xdstp://same.example/envoy.config.endpoint.v3.ClusterLoadAssignment/c'),
      );
      assert.ok(!names(server).has(name));
      assert.deepEqual(
        xds
          .dump()
          .map((s) => s.serverUri)
          .sort(),
        [server.address, server.address, other.address].sort(),
      );
    } finally {
      await other.stop();
    }
  });

  it('reports an xdstp name whose authority is not in the bootstrap to its watcher', async () => {
    const xds = new XdsClient({
      bootstrap: parseBootstrap({
        xds_servers: [{ server_uri: server.address, channel_creds: [{ type: 'insecure' }] }],
      }),
    }).registerResourceType(testEndpointsType);
    client = xds;
    const w = new WatchRecorder<TestEndpoints>();
    xds.watch(EDS, 'xdstp://elsewhere/envoy.config.endpoint.v3.ClusterLoadAssignment/x', w);
    const e = await w.event(0);
    assert.match(e.kind === 'error' ? e.error.message : '', /authority "elsewhere" is not in the bootstrap/);
    assert.throws(() => xds.watch('type.googleapis.com/nope', 'x', w), /nope is not registered/);
  });
});
