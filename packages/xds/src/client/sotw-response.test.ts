// Odd state-of-the-world responses, sent by hand from a real ADS server: resources wrapped in
// envoy.service.discovery.v3.Resource (client feature xds.config.resource-in-sotw), a resource of
// the wrong type, a name twice, bytes that do not parse, and a response of a type never requested.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import { AdsTestServer, type TestStream } from '../../test/ads-test-server.js';
import {
  clusterAny,
  endpointsAny,
  type TestEndpoints,
  testEndpointsType,
} from '../../test/test-resource-types.js';
import { WatchRecorder } from '../../test/watch-recorder.js';
import { parseBootstrap } from '../bootstrap.js';
import { ResourceSchema } from '../gen/envoy/service/discovery/v3/discovery_pb.js';
import { CLUSTER_LOAD_ASSIGNMENT_TYPE_URL as EDS, LISTENER_TYPE_URL as LDS } from '../type-urls.js';
import { XdsClient } from './xds-client.js';

describe('state-of-the-world responses', () => {
  let server: AdsTestServer;
  let client: XdsClient;
  let stream: TestStream;
  let w: WatchRecorder<TestEndpoints>;
  beforeEach(async () => {
    server = await new AdsTestServer().start();
    server.autoRespond = false;
    client = new XdsClient({
      bootstrap: parseBootstrap({
        xds_servers: [{ server_uri: server.address, channel_creds: [{ type: 'insecure' }] }],
      }),
    }).registerResourceType(testEndpointsType);
    w = new WatchRecorder<TestEndpoints>();
    client.watch(EDS, 'a', w);
    stream = (await server.nextRequest((r) => r.request.typeUrl === EDS)).stream;
  });
  afterEach(async () => {
    await client.close();
    await server.stop();
  });

  const nackOf = async (nonce: string) =>
    (await server.nextRequest((r) => r.request.responseNonce === nonce)).request;

  it('unwraps resources sent as envoy.service.discovery.v3.Resource', async () => {
    const wrapped = anyPack(
      ResourceSchema,
      create(ResourceSchema, { name: 'a', version: 'r1', resource: endpointsAny('a', '10.0.0.1:80') }),
    );
    const nonce = stream.send({ typeUrl: EDS, versionInfo: '1', resources: [wrapped] });
    assert.deepEqual(await w.event(0), {
      kind: 'update',
      value: { cluster: 'a', addresses: ['10.0.0.1:80'] },
    });
    const ack = await nackOf(nonce);
    assert.equal(ack.errorDetail, undefined);
    assert.equal(ack.versionInfo, '1');
  });

  it('NACKs a resource of the wrong type, a name given twice and bytes that do not parse', async () => {
    const garbage = { ...endpointsAny('a', '10.0.0.1:80'), value: new Uint8Array([0x0a, 0xff]) };
    const nonce = stream.send({
      typeUrl: EDS,
      versionInfo: '1',
      resources: [
        clusterAny('c'),
        endpointsAny('a', '10.0.0.1:80'),
        endpointsAny('a', '10.0.0.2:80'),
        garbage,
      ],
    });
    const nack = await nackOf(nonce);
    assert.equal(nack.versionInfo, '');
    const errors = nack.errorDetail?.message.split('; ') ?? [];
    assert.equal(
      errors[0],
      `resources[0]: a type.googleapis.com/envoy.config.cluster.v3.Cluster in the eds response`,
    );
    assert.equal(errors[1], 'cluster_load_assignment[a]: appears more than once in the response');
    assert.match(errors[2] ?? '', /^resources\[3\]: cannot decode: /);
    assert.equal(errors.length, 3);
    // The first valid `a` was applied (gRFC A46).
    assert.deepEqual(await w.event(0), {
      kind: 'update',
      value: { cluster: 'a', addresses: ['10.0.0.1:80'] },
    });
  });

  it('ignores a response of a type it never asked for, without answering', async () => {
    const before = server.requests.length;
    stream.send({ typeUrl: LDS, versionInfo: '1', resources: [] });
    const nonce = stream.send({
      typeUrl: EDS,
      versionInfo: '2',
      resources: [endpointsAny('a', '10.0.0.5:80')],
    });
    await nackOf(nonce);
    assert.deepEqual(
      server.requests.slice(before).map((r) => r.request.typeUrl),
      [EDS],
    );
  });
});
