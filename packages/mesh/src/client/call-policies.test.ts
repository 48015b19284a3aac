import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { Code, Metadata } from '@shoal/rpc';
import {
  decodeListener,
  decodeRouteConfiguration,
  type XdsClientListener,
  type XdsForwardingAction,
  type XdsRoute,
  type XdsVirtualHost,
} from '@shoal/xds';
import {
  clientListener,
  type FaultInit,
  faultFilter,
  faultOverride,
  prefix,
  type RouteInit,
  route,
  routeConfiguration,
} from '../../test/xds-fixtures.js';
import { FaultGauge } from '../resilience/fault-injector.js';
import { CallPolicies, effectiveTimeoutMs } from './call-policies.js';

function decodeVh(routes: RouteInit[], vhExtra: Record<string, unknown> = {}): XdsVirtualHost {
  const r = decodeRouteConfiguration(
    routeConfiguration('rc', [{ name: 'vh', domains: ['*'], routes, ...vhExtra }]),
  );
  assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
  return r.value.virtualHosts[0]!;
}

function listener(filters: ReturnType<typeof faultFilter>[]): XdsClientListener {
  const r = decodeListener(clientListener('l', { filters }));
  assert.ok(r.ok && r.value.kind === 'client', r.ok ? '' : r.errors.join('; '));
  return r.value as XdsClientListener;
}

const abort = (code: Code, pct = 100): FaultInit => ({
  abort: { errorType: { case: 'grpcStatus', value: code }, percentage: { numerator: pct } },
});
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
  const policies = () => new CallPolicies(new FaultGauge(), () => 0);

  it('applies filter overrides: weighted cluster over route over virtual host over listener (gRFC A39)', () => {
    const name = 'envoy.filters.http.fault';
    const l = listener([faultFilter(abort(Code.INTERNAL))]);
    const vh = decodeVh(
      [
        {
          ...route(prefix('/w'), [
            ['c1', 1],
            ['c2', 1],
          ]),
        },
        route(prefix('/r'), 'c', { typedPerFilterConfig: { [name]: faultOverride(abort(Code.ABORTED)) } }),
        route(prefix('/v'), 'c'),
      ],
      { typedPerFilterConfig: { [name]: faultOverride(abort(Code.NOT_FOUND)) } },
    );
    const p = policies();
    const codeOf = (r: XdsRoute, cluster = 0) => {
      const faults = p.activeFaults(l.http.httpFilters, vh, r, action(r).clusters[cluster]!);
      return faults.map((f) => f.injector.decide(new Metadata())?.abort);
    };
    assert.deepEqual(codeOf(vh.routes[1]!), [Code.ABORTED], 'route override');
    assert.deepEqual(codeOf(vh.routes[2]!), [Code.NOT_FOUND], 'virtual host override');
    const bare = decodeVh([route(prefix(), 'c')]);
    assert.deepEqual(
      p
        .activeFaults(l.http.httpFilters, bare, bare.routes[0]!, action(bare.routes[0]!).clusters[0]!)
        .map((f) => f.injector.decide(new Metadata())?.abort),
      [Code.INTERNAL],
      'listener config',
    );
    assert.equal(
      p.activeFaults(l.http.httpFilters, vh, vh.routes[1]!, action(vh.routes[1]!).clusters[0]!)[0],
      p.activeFaults(l.http.httpFilters, vh, vh.routes[1]!, action(vh.routes[1]!).clusters[0]!)[0],
      'compiled once per config object',
    );
  });

  it('runs faults only for calls whose headers match the fault headers', () => {
    const l = listener([
      faultFilter({
        abort: { errorType: { case: 'grpcStatus', value: Code.UNAVAILABLE }, percentage: { numerator: 100 } },
        headers: [{ name: 'x-chaos', headerMatchSpecifier: { case: 'exactMatch', value: 'on' } }],
      }),
    ]);
    const vh = decodeVh([route(prefix(), 'c')]);
    const [f] = policies().activeFaults(
      l.http.httpFilters,
      vh,
      vh.routes[0]!,
      action(vh.routes[0]!).clusters[0]!,
    );
    assert.equal(f!.applies(new Metadata({ 'x-chaos': 'on' })), true);
    assert.equal(f!.applies(new Metadata()), false);
  });

  it('turns percentages into the injector’s fractions', () => {
    const l = listener([faultFilter(abort(Code.UNAVAILABLE, 30))]);
    const vh = decodeVh([route(prefix(), 'c')]);
    let r = 0;
    const p = new CallPolicies(new FaultGauge(), () => r);
    const [f] = p.activeFaults(l.http.httpFilters, vh, vh.routes[0]!, action(vh.routes[0]!).clusters[0]!);
    r = 0.29;
    assert.equal(f!.injector.decide(new Metadata())?.abort, Code.UNAVAILABLE);
    r = 0.3;
    assert.equal(f!.injector.decide(new Metadata()), undefined);
  });

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
