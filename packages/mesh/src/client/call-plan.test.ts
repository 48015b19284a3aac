import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { Code, Metadata } from '@shoal/rpc';
import { decodeRouteConfiguration, type XdsVirtualHost } from '@shoal/xds/plugins';
import { prefix, type RouteInit, route, routeConfiguration } from '../../test/xds-fixtures.js';
import { requestHasherOf, retryPolicyOf } from './call-plan.js';

function decodeVh(routes: RouteInit[], vhExtra: Record<string, unknown> = {}): XdsVirtualHost {
  const r = decodeRouteConfiguration(
    routeConfiguration('rc', [{ name: 'vh', domains: ['*'], routes, ...vhExtra }]),
  );
  assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
  return r.value.virtualHosts[0]!;
}

describe('call plans', () => {
  it('takes the route’s retry policy, else the virtual host’s (gRFC A44)', () => {
    const vh = decodeVh(
      [
        route(prefix('/r'), 'c', {
          retryPolicy: {
            retryOn: 'unavailable,cancelled,5xx',
            numRetries: 2,
            retryBackOff: { baseInterval: durationFromMs(10) },
          },
        }),
        route(prefix(), 'c'),
      ],
      { retryPolicy: { retryOn: 'internal' } },
    );
    const own = retryPolicyOf(vh.routes[0]!, vh)!;
    assert.deepEqual([...own.retryOn].sort(), [Code.CANCELLED, Code.UNAVAILABLE]);
    assert.equal(own.maxAttempts, 3);
    assert.equal(own.baseBackoffMs, 10);
    assert.equal(own.maxBackoffMs, 100);
    const inherited = retryPolicyOf(vh.routes[1]!, vh)!;
    assert.deepEqual([...inherited.retryOn], [Code.INTERNAL]);
    assert.equal(inherited.maxAttempts, 2);
    const none = decodeVh([route(prefix(), 'c')]);
    assert.equal(retryPolicyOf(none.routes[0]!, none), undefined);
  });

  it('builds a request hasher from header and channel hash policies (gRFC A42)', () => {
    const vh = decodeVh([
      route(prefix('/h'), 'c', {
        hashPolicy: [{ policySpecifier: { case: 'header', value: { headerName: 'x-session' } } }],
      }),
      route(prefix('/ch'), 'c', {
        hashPolicy: [{ policySpecifier: { case: 'filterState', value: { key: 'io.grpc.channel_id' } } }],
      }),
      route(prefix(), 'c'),
    ]);
    const h = requestHasherOf(vh.routes[0]!)!;
    const one = h.hash(new Metadata({ 'x-session': 's1' }), 1n);
    assert.equal(one, h.hash(new Metadata({ 'x-session': 's1' }), 2n));
    assert.notEqual(one, h.hash(new Metadata({ 'x-session': 's2' }), 1n));
    assert.equal(h.hash(new Metadata(), 1n), undefined);
    assert.equal(requestHasherOf(vh.routes[1]!)!.hash(new Metadata(), 42n), 42n);
    assert.equal(requestHasherOf(vh.routes[2]!), undefined);
  });
});
