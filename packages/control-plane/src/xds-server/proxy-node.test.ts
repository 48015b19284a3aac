import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { proxyNodeOf } from './proxy-node.js';

const id = 'sidecar~10.1.2.3~reviews-v1-abc.shop~shop.svc.cluster.local';

describe('proxy node: sidecar or proxyless, as istiod tells them apart', () => {
  it('an Envoy sidecar: a sidecar node id without the gRPC generator', () => {
    const node = proxyNodeOf({ id, metadata: { NAMESPACE: 'shop' }, userAgentName: 'envoy' });
    assert.equal(node.kind, 'sidecar');
    assert.equal(node.dnsDomain, 'shop.svc.cluster.local');
    assert.deepEqual(node.ips, ['10.1.2.3']);
    // No user agent at all reads as istiod reads it: a sidecar.
    assert.equal(proxyNodeOf({ id }).kind, 'sidecar');
  });

  it('proxyless: GENERATOR grpc (grpc-agent), or a gRPC or Shoal user agent', () => {
    assert.equal(
      proxyNodeOf({ id, metadata: { GENERATOR: 'grpc' }, userAgentName: 'envoy' }).kind,
      'proxyless',
    );
    for (const ua of [
      'gRPC Node Pure JS',
      'gRPC C-core linux Python',
      'grpc-go',
      'grpc-java-netty',
      'shoal-node',
    ]) {
      assert.equal(proxyNodeOf({ id, userAgentName: ua }).kind, 'proxyless', ua);
    }
  });

  it('other node types (router, plain ids) are proxyless clients', () => {
    assert.equal(
      proxyNodeOf({ id: 'router~10.1.2.3~gw.istio-system~istio-system.svc.cluster.local' }).kind,
      'proxyless',
    );
    assert.equal(proxyNodeOf({ id: 'consumer-1' }).kind, 'proxyless');
    assert.equal(
      proxyNodeOf({ id: 'consumer-1', metadata: { NAMESPACE: 'shop' } }).dnsDomain,
      'shop.svc.cluster.local',
    );
  });
});
