import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterName, parseClusterName, parseInboundListenerName, splitHostPort } from './resource-names.js';

describe('resource names', () => {
  it('cluster names round-trip and bad ones are refused', () => {
    assert.equal(clusterName('a.b', 80, 'v1'), 'outbound|80|v1|a.b');
    assert.deepEqual(parseClusterName('outbound|80||a.b'), {
      direction: 'outbound',
      port: 80,
      subset: '',
      host: 'a.b',
    });
    for (const bad of [
      'outbound|80|a.b',
      'sideways|80||a.b',
      'outbound|0||a.b',
      'outbound|x||a.b',
      'outbound|80||',
      '',
    ]) {
      assert.equal(parseClusterName(bad), undefined, bad);
    }
  });

  it('host:port splitting: names, IPv6 and bad ports', () => {
    assert.deepEqual(splitHostPort('reviews:9080'), { host: 'reviews', port: 9080 });
    assert.deepEqual(splitHostPort('reviews'), { host: 'reviews', port: undefined });
    assert.deepEqual(splitHostPort('[::1]:80'), { host: '::1', port: 80 });
    assert.deepEqual(splitHostPort('::1'), { host: '::1', port: undefined });
    assert.equal(splitHostPort('reviews:99999'), undefined);
    assert.equal(splitHostPort('reviews:'), undefined);
    assert.equal(splitHostPort(':80'), undefined);
    assert.equal(splitHostPort('[::1'), undefined);
  });

  it('inbound listener names: the Istio template or any template ending in /IP:port', () => {
    assert.deepEqual(parseInboundListenerName('xds.istio.io/grpc/lds/inbound/10.0.0.1:8080'), {
      ip: '10.0.0.1',
      port: 8080,
    });
    assert.deepEqual(parseInboundListenerName('my/servers/[::]:50051'), { ip: '::', port: 50051 });
    assert.equal(parseInboundListenerName('reviews:9080'), undefined);
    assert.equal(parseInboundListenerName('x/reviews:9080'), undefined, 'a host name is not an IP');
    assert.equal(parseInboundListenerName('x/10.0.0.1'), undefined, 'a port is required');
  });
});
