import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import {
  decodeRouteConfiguration,
  type XdsForwardingAction,
  type XdsRoute,
  type XdsVirtualHost,
} from '@shoal/xds/plugins';
import { prefix, type RouteInit, route, routeConfiguration } from '../../test/xds-fixtures.js';
import { effectiveTimeoutMs } from './call-timeout.js';

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
