// Proof that Shoal's own xDS protos are wire-compatible with Envoy's real ones (DESIGN.md route (a)):
// every declared field matches by number, name and type, and populated messages survive a trip
// through protobufjs loaded with Envoy's .proto files, in both directions, field by field.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { create, type DescMessage, equals, fromBinary, toBinary } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import type protobuf from 'protobufjs';
import { populate, variantsOf } from '../../test/populate.js';
import { diffAgainstReal, diffEnum, diffSchema, loadRealEnvoy, TO_OBJECT } from '../../test/real-envoy.js';
import * as envoy from '../envoy.js';
import {
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
  CLUSTER_TYPE_URL,
  HTTP_CONNECTION_MANAGER_TYPE_URL,
  LISTENER_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
  typeUrlOf,
} from '../type-urls.js';
import { xdsFiles } from './registry.js';

function allMessages(): DescMessage[] {
  const out: DescMessage[] = [];
  const visit = (m: DescMessage) => {
    out.push(m);
    m.nestedMessages.forEach(visit);
  };
  for (const file of xdsFiles()) file.messages.forEach(visit);
  return out;
}

describe('xDS protos against the real Envoy protos', () => {
  let real: protobuf.Root;
  before(() => {
    real = loadRealEnvoy();
  });

  it('declares every field with Envoy number, name, type and oneof', () => {
    const diffs = xdsFiles().flatMap((file) => file.messages.flatMap((m) => diffSchema(m, real)));
    assert.deepEqual(diffs, []);
  });

  it('declares every enum value with Envoy number', () => {
    const enums = xdsFiles().flatMap((file) => [
      ...file.enums,
      ...allMessages()
        .filter((m) => m.file === file)
        .flatMap((m) => m.nestedEnums),
    ]);
    assert.ok(enums.length >= 15);
    assert.deepEqual(
      enums.flatMap((e) => diffEnum(e, real)),
      [],
    );
  });

  it('re-exports every generated file from envoy.ts', () => {
    const gen = fileURLToPath(new URL('../gen', import.meta.url));
    // Istio's CA API (gen/istio) is not Envoy's and has an entry of its own.
    const generated = readdirSync(gen, { recursive: true }).filter(
      (f) => String(f).endsWith('_pb.js') && !String(f).startsWith('istio'),
    );
    assert.equal(xdsFiles().length, generated.length);
  });

  it('covers the messages the control plane sends to proxyless clients and sidecars', () => {
    const names = new Set(allMessages().map((m) => m.typeName));
    for (const name of [
      'envoy.service.discovery.v3.DiscoveryRequest',
      'envoy.service.discovery.v3.DeltaDiscoveryResponse',
      'envoy.config.listener.v3.Listener',
      'envoy.config.route.v3.RouteConfiguration',
      'envoy.config.cluster.v3.Cluster',
      'envoy.config.endpoint.v3.ClusterLoadAssignment',
      'envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
      'envoy.service.status.v3.ClientStatusResponse',
      'google.rpc.Status',
      // What a sidecar is sent besides (socket listeners, TCP proxying, upstream protocols, SDS).
      'envoy.config.listener.v3.ListenerFilter',
      'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
      'envoy.extensions.filters.listener.original_dst.v3.OriginalDst',
      'envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector',
      'envoy.extensions.filters.listener.http_inspector.v3.HttpInspector',
      'envoy.extensions.filters.http.cors.v3.Cors',
      'envoy.extensions.filters.http.grpc_stats.v3.FilterConfig',
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
      'envoy.extensions.transport_sockets.tls.v3.Secret',
      'envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig',
    ]) {
      assert.ok(names.has(name), name);
    }
  });

  it('encodes with ours and decodes with Envoy, field by field, for every message', () => {
    let checked = 0;
    for (const schema of allMessages()) {
      const type = real.lookupType(schema.typeName);
      for (let variant = 0; variant < variantsOf(schema); variant++) {
        const ours = populate(schema, variant);
        const theirs = type.toObject(type.decode(toBinary(schema, ours)), TO_OBJECT);
        assert.deepEqual(diffAgainstReal(schema, ours, theirs), [], `${schema.typeName} variant ${variant}`);
        checked++;
      }
    }
    assert.ok(checked > 80, `checked ${checked}`);
  });

  it('encodes with Envoy and decodes with ours, field by field, for every message', () => {
    for (const schema of allMessages()) {
      const type = real.lookupType(schema.typeName);
      for (let variant = 0; variant < variantsOf(schema); variant++) {
        const original = populate(schema, variant);
        const theirs = type.decode(toBinary(schema, original));
        const ours = fromBinary(schema, type.encode(theirs).finish());
        assert.deepEqual(
          diffAgainstReal(schema, ours, type.toObject(theirs, TO_OBJECT)),
          [],
          schema.typeName,
        );
        assert.ok(equals(schema, ours, original), `${schema.typeName} variant ${variant} changed on the way`);
      }
    }
  });

  it('decodes a listener built by Envoy (protobufjs) from plain values', () => {
    const hcmType = real.lookupType(HTTP_CONNECTION_MANAGER_TYPE_URL.split('/')[1]!);
    const hcm = hcmType.encode(
      hcmType.fromObject({
        rds: { config_source: { ads: {} }, route_config_name: 'greeter:50051' },
        http_filters: [{ name: 'router', typed_config: { type_url: 'x/y', value: [] } }],
      }),
    );
    const listenerType = real.lookupType('envoy.config.listener.v3.Listener');
    const bytes = listenerType
      .encode(
        listenerType.fromObject({
          name: 'greeter:50051',
          api_listener: { api_listener: { type_url: HTTP_CONNECTION_MANAGER_TYPE_URL, value: hcm.finish() } },
        }),
      )
      .finish();
    const listener = fromBinary(envoy.ListenerSchema, bytes);
    assert.equal(listener.name, 'greeter:50051');
    assert.equal(listener.apiListener?.apiListener?.typeUrl, HTTP_CONNECTION_MANAGER_TYPE_URL);
    const decoded = fromBinary(envoy.HttpConnectionManagerSchema, listener.apiListener!.apiListener!.value);
    assert.equal(decoded.routeSpecifier.case, 'rds');
    assert.equal(decoded.routeSpecifier.value?.routeConfigName, 'greeter:50051');
    assert.equal(decoded.routeSpecifier.value?.configSource?.configSourceSpecifier.case, 'ads');
    assert.equal(decoded.httpFilters[0]?.name, 'router');
  });
});

describe('type URLs', () => {
  it('are Envoy names under type.googleapis.com', () => {
    assert.equal(typeUrlOf(envoy.ListenerSchema), 'type.googleapis.com/envoy.config.listener.v3.Listener');
    assert.equal(typeUrlOf(envoy.ListenerSchema), LISTENER_TYPE_URL);
    assert.equal(typeUrlOf(envoy.RouteConfigurationSchema), ROUTE_CONFIGURATION_TYPE_URL);
    assert.equal(typeUrlOf(envoy.ClusterSchema), CLUSTER_TYPE_URL);
    assert.equal(typeUrlOf(envoy.ClusterLoadAssignmentSchema), CLUSTER_LOAD_ASSIGNMENT_TYPE_URL);
    assert.equal(typeUrlOf(envoy.HttpConnectionManagerSchema), HTTP_CONNECTION_MANAGER_TYPE_URL);
  });

  it('resolve to the real Envoy message when packed into Any', () => {
    const real = loadRealEnvoy();
    for (const schema of [
      envoy.ListenerSchema,
      envoy.RouteConfigurationSchema,
      envoy.ClusterSchema,
      envoy.ClusterLoadAssignmentSchema,
    ]) {
      const any = anyPack(schema, create(schema));
      const name = any.typeUrl.slice('type.googleapis.com/'.length);
      assert.equal(real.lookupType(name).fullName, `.${schema.typeName}`);
    }
  });
});
