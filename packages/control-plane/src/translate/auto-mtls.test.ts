import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromBinary } from '@bufbuild/protobuf';
import { CLUSTER_TYPE_URL, envoy, LISTENER_TYPE_URL } from '@shoal/xds';
import { decodeListener } from '@shoal/xds/plugins';
import { bookinfoEndpoints, bookinfoInput, clientNode, fqdn } from '../../test/bookinfo-fixture.js';
import type { ConfigObject } from '../config/config-object.js';
import { proxyNodeOf } from '../xds-server/proxy-node.js';
import { Translator } from './translator.js';

const pa = (
  namespace: string,
  mode: 'STRICT' | 'PERMISSIVE' | 'DISABLE',
  app?: string,
): ConfigObject<'PeerAuthentication'> => ({
  apiVersion: 'security.istio.io/v1',
  kind: 'PeerAuthentication',
  metadata: { name: app ?? 'default', namespace },
  spec: { ...(app && { selector: { matchLabels: { app } } }), mtls: { mode } },
});

function upstreamTls(t: Translator, cluster: string): envoy.UpstreamTlsContext | undefined {
  const c = t.resource(CLUSTER_TYPE_URL, cluster, clientNode())?.message as envoy.Cluster | undefined;
  const any = c?.transportSocket?.configType.value;
  return any ? fromBinary(envoy.UpstreamTlsContextSchema, any.value) : undefined;
}

function sans(tls: envoy.UpstreamTlsContext | undefined): string[] {
  const v = tls?.commonTlsContext?.validationContextType;
  const combined = v?.case === 'combinedValidationContext' ? v.value.defaultValidationContext : undefined;
  return (combined?.matchSubjectAltNames ?? []).map((m) => String(m.matchPattern.value));
}

describe('auto mTLS and PERMISSIVE', () => {
  it('calls a service whose endpoints are all STRICT over ISTIO_MUTUAL, with their SPIFFE IDs', () => {
    const endpoints = bookinfoEndpoints().map((e) => ({
      ...e,
      serviceAccount: `bookinfo-${e.hostname.split('.')[0]}`,
    }));
    const plain = new Translator(bookinfoInput([], { endpoints }));
    assert.equal(
      upstreamTls(plain, `outbound|9080||${fqdn('reviews')}`),
      undefined,
      'no PeerAuthentication: plaintext',
    );
    const t = new Translator(
      bookinfoInput([], {
        endpoints,
        peerAuthentications: [pa('default', 'STRICT')],
        trustDomain: 'shoal.test',
      }),
    );
    const tls = upstreamTls(t, `outbound|9080||${fqdn('reviews')}`);
    assert.equal(tls?.commonTlsContext?.tlsCertificateProviderInstance?.instanceName, 'default');
    assert.deepEqual(sans(tls), ['spiffe://shoal.test/ns/default/sa/bookinfo-reviews']);
    // Only one app STRICT: the others stay plaintext (a PERMISSIVE gRPC server cannot take mTLS).
    const one = new Translator(
      bookinfoInput([], { endpoints, peerAuthentications: [pa('default', 'STRICT', 'ratings')] }),
    );
    assert.notEqual(upstreamTls(one, `outbound|9080||${fqdn('ratings')}`), undefined);
    assert.equal(upstreamTls(one, `outbound|9080||${fqdn('reviews')}`), undefined);
  });

  it('gives Shoal servers a TLS chain beside the plaintext one for PERMISSIVE, gRPC servers plaintext', () => {
    const t = new Translator(bookinfoInput([], { peerAuthentications: [pa('default', 'PERMISSIVE')] }));
    const name = 'xds.istio.io/grpc/lds/inbound/10.1.0.7:9080';
    const shoal = proxyNodeOf({ id: 's', metadata: { NAMESPACE: 'default' }, userAgentName: 'shoal-node' });
    const grpc = proxyNodeOf({ id: 'g', metadata: { NAMESPACE: 'default' }, userAgentName: 'grpc-node-js' });
    const chains = (l: unknown) => (l as envoy.Listener).filterChains;
    const forShoal = t.resource(LISTENER_TYPE_URL, name, shoal)!;
    assert.deepEqual(
      chains(forShoal.message).map((c) => [
        c.filterChainMatch?.transportProtocol ?? '',
        c.transportSocket !== undefined,
      ]),
      [
        ['tls', true],
        ['', false],
      ],
    );
    const decoded = decodeListener(forShoal.bytes);
    assert.ok(
      decoded.ok &&
        decoded.value.kind === 'server' &&
        decoded.value.filterChains[0]?.tls?.requireClientCertificate,
    );
    const forGrpc = t.resource(LISTENER_TYPE_URL, name, grpc)!;
    assert.deepEqual(
      chains(forGrpc.message).map((c) => c.transportSocket !== undefined),
      [false],
    );
  });

  it('writes serviceAccounts of AuthorizationPolicy in the trust domain', () => {
    const policy: ConfigObject<'AuthorizationPolicy'> = {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'p', namespace: 'default' },
      spec: { rules: [{ from: [{ source: { serviceAccounts: ['web'] } }] }] },
    };
    const t = new Translator(
      bookinfoInput([], { authorizationPolicies: [policy], trustDomain: 'shoal.test' }),
    );
    const l = t.resource(LISTENER_TYPE_URL, 'xds.istio.io/grpc/lds/inbound/10.1.0.7:9080', clientNode())!;
    assert.match(JSON.stringify(decodeListener(l.bytes)), /spiffe:\/\/shoal\.test\/ns\/default\/sa\/web/);
  });
});
