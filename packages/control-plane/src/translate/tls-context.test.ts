import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fromBinary } from '@bufbuild/protobuf';
import { CLUSTER_TYPE_URL, envoy, LISTENER_TYPE_URL } from '@shoal/xds';
import { decodeCluster, decodeListener } from '@shoal/xds/plugins';
import { bookinfoInput, clientNode, fqdn, TESTDATA } from '../../test/bookinfo-fixture.js';
import type { ConfigObject } from '../config/config-object.js';
import { loadConfigText } from '../config/load-config.js';
import { proxyNodeOf } from '../xds-server/proxy-node.js';
import { mtlsModeFor } from './peer-authentication.js';
import { Translator } from './translator.js';

const node = clientNode();

describe('transport security', () => {
  it('DestinationRule ISTIO_MUTUAL (Bookinfo all-mtls) → UpstreamTlsContext from the default provider', () => {
    const t = new Translator(bookinfoInput(['samples-bookinfo-networking-destination-rule-all-mtls.yaml']));
    const built = t.resource(CLUSTER_TYPE_URL, `outbound|9080|v1|${fqdn('reviews')}`, node)!;
    const cluster = built.message as envoy.Cluster;
    assert.equal(cluster.transportSocket?.name, 'envoy.transport_sockets.tls');
    const any = cluster.transportSocket?.configType.value;
    assert.equal(
      any?.typeUrl,
      'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
    );
    const tls = fromBinary(envoy.UpstreamTlsContextSchema, any!.value);
    assert.equal(tls.commonTlsContext?.tlsCertificateProviderInstance?.instanceName, 'default');
    const validation = tls.commonTlsContext?.validationContextType;
    assert.equal(validation?.case, 'combinedValidationContext');
    const combined = validation?.value as envoy.CommonTlsContext_CombinedCertificateValidationContext;
    assert.equal(combined.defaultValidationContext?.caCertificateProviderInstance?.certificateName, 'ROOTCA');
    const decoded = decodeCluster(built.bytes);
    assert.ok(decoded.ok, decoded.ok ? '' : decoded.errors.join('; '));
  });

  it('tls modes a proxyless client cannot follow leave the cluster out instead of plaintext', () => {
    const input = bookinfoInput([]);
    input.destinationRules = [
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: { name: 'reviews', namespace: 'default' },
        spec: {
          host: 'reviews',
          trafficPolicy: { tls: { mode: 'MUTUAL', clientCertificate: '/c.pem', privateKey: '/k.pem' } },
        },
      },
    ];
    const t = new Translator(input);
    assert.equal(t.resource(CLUSTER_TYPE_URL, `outbound|9080||${fqdn('reviews')}`, node), undefined);
    assert.match(t.failures[0]?.error ?? '', /tls mode MUTUAL .*not supported for proxyless/);
  });

  it('PeerAuthentication STRICT (Istio testdata) → the inbound filter chain requires client certificates', () => {
    const loaded = loadConfigText(
      readFileSync(`${TESTDATA}tests-testdata-config-peer-authn-strict.yaml`, 'utf8'),
    );
    assert.deepEqual(loaded.errors, []);
    const pas = loaded.objects as ConfigObject<'PeerAuthentication'>[];
    const t = new Translator({ ...bookinfoInput([]), peerAuthentications: pas });
    const name = 'xds.istio.io/grpc/lds/inbound/10.1.0.7:8080';
    const inTestns = proxyNodeOf({ id: 'server-1', metadata: { NAMESPACE: 'testns' } });
    const strict = t.resource(LISTENER_TYPE_URL, name, inTestns)!;
    const chain = (strict.message as envoy.Listener).filterChains[0]!;
    assert.equal(
      chain.transportSocket?.configType.value?.typeUrl,
      'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
    );
    const tls = fromBinary(envoy.DownstreamTlsContextSchema, chain.transportSocket!.configType.value!.value);
    assert.equal(tls.requireClientCertificate, true);
    const decoded = decodeListener(strict.bytes);
    assert.ok(decoded.ok, decoded.ok ? '' : decoded.errors.join('; '));
    const elsewhere = t.resource(LISTENER_TYPE_URL, name, node)!;
    assert.equal(
      (elsewhere.message as envoy.Listener).filterChains[0]?.transportSocket,
      undefined,
      'other namespaces: permissive',
    );
  });

  it('PeerAuthentication precedence: workload selector, then namespace, then mesh-wide; port level; UNSET inherits', () => {
    const pa = (name: string, namespace: string, spec: ConfigObject<'PeerAuthentication'>['spec']) => ({
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication' as const,
      metadata: { name, namespace },
      spec,
    });
    const policies = [
      pa('mesh', 'istio-system', { mtls: { mode: 'STRICT' } }),
      pa('ns', 'shop', { mtls: { mode: 'PERMISSIVE' } }),
      pa('cart', 'shop', {
        selector: { matchLabels: { app: 'cart' } },
        mtls: { mode: 'UNSET' },
        portLevelMtls: { '9000': { mode: 'DISABLE' } },
      }),
    ];
    assert.equal(mtlsModeFor(policies, 'other', {}, 80), 'STRICT');
    assert.equal(mtlsModeFor(policies, 'shop', { app: 'web' }, 80), 'PERMISSIVE');
    assert.equal(
      mtlsModeFor(policies, 'shop', { app: 'cart' }, 80),
      'PERMISSIVE',
      'UNSET inherits the namespace mode',
    );
    assert.equal(mtlsModeFor(policies, 'shop', { app: 'cart' }, 9000), 'DISABLE');
    assert.equal(mtlsModeFor([], 'x', {}, 1), 'PERMISSIVE');
  });
});
