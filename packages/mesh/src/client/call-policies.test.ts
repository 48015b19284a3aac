import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { Code, Metadata } from '@shoal/rpc';
import {
  decodeRouteConfiguration,
  type XdsForwardingAction,
  type XdsRoute,
  type XdsVirtualHost,
} from '@shoal/xds';
import { prefix, type RouteInit, route, routeConfiguration } from '../../test/xds-fixtures.js';
import { CallPolicies, effectiveTimeoutMs } from './call-policies.js';

function decodeVh(routes: RouteInit[], vhExtra: Record<string, unknown> = {}): XdsVirtualHost {
  const r = decodeRouteConfiguration(
    routeConfiguration('rc', [{ name: 'vh', domains: ['*'], routes, ...vhExtra }]),
  );
  assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
  return r.value.virtualHosts[0]!;
}

const action = (r: XdsRoute) => r.action as XdsForwardingAction;

describe('effectiveTimeoutMs (gRFC A31)', () => {
  const vh = decodeVh([
    route(prefix('/a'), 'c', { maxStreamDuration: { maxStreamDuration: durationFromMs(100) } }),
    route(prefix('/b'), 'c', {
      maxStreamDuration: { maxStreamDuration: durationFromMs(100), grpcTimeoutHeaderMax: durationFromMs(40) },
    }),
    route(prefix('/c'), 'c', { maxStreamDuration: { maxStreamDuration: durationFromMs(0) } }),
    route(prefix('/d'), 'c'),
  ]);
  const [a, b, c, d] = vh.routes.map(action);

  it('takes the smaller of the call deadline and the route limit', () => {
    assert.equal(effectiveTimeoutMs(undefined, a!, undefined), 100);
    assert.equal(effectiveTimeoutMs(30, a!, undefined), 30);
    assert.equal(effectiveTimeoutMs(300, a!, undefined), 100);
  });

  it('prefers grpc_timeout_header_max, treats 0 as no limit, falls back to the listener', () => {
    assert.equal(effectiveTimeoutMs(undefined, b!, undefined), 40);
    assert.equal(
      effectiveTimeoutMs(undefined, c!, 20),
      undefined,
      'an explicit 0 on the route overrides the listener',
    );
    assert.equal(effectiveTimeoutMs(500, d!, undefined), 500);
    assert.equal(effectiveTimeoutMs(undefined, d!, 70), 70);
  });
});

describe('CallPolicies', () => {
  const policies = () => new CallPolicies();

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
    const p = policies();
    const own = p.retryPolicy(vh.routes[0]!, vh)!;
    assert.deepEqual([...own.retryOn].sort(), [Code.CANCELLED, Code.UNAVAILABLE]);
    assert.equal(own.maxAttempts, 3);
    assert.equal(own.baseBackoffMs, 10);
    assert.equal(own.maxBackoffMs, 100);
    const inherited = p.retryPolicy(vh.routes[1]!, vh)!;
    assert.deepEqual([...inherited.retryOn], [Code.INTERNAL]);
    assert.equal(inherited.maxAttempts, 2);
    const none = decodeVh([route(prefix(), 'c')]);
    assert.equal(p.retryPolicy(none.routes[0]!, none), undefined);
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
    const p = policies();
    const h = p.hasher(action(vh.routes[0]!))!;
    const one = h.hash(new Metadata({ 'x-session': 's1' }), 1n);
    assert.equal(one, h.hash(new Metadata({ 'x-session': 's1' }), 2n));
    assert.notEqual(one, h.hash(new Metadata({ 'x-session': 's2' }), 1n));
    assert.equal(h.hash(new Metadata(), 1n), undefined);
    assert.equal(p.hasher(action(vh.routes[1]!))!.hash(new Metadata(), 42n), 42n);
    assert.equal(p.hasher(action(vh.routes[2]!)), undefined);
  });
});
