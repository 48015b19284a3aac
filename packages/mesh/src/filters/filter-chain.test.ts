import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import { type CallResponse, Code, Metadata, RpcError } from '@shoal/rpc';
import { envoy } from '@shoal/xds';
import {
  decodeListener,
  decodeRouteConfiguration,
  HttpFilterRegistry,
  type XdsClientListener,
  type XdsForwardingAction,
  type XdsHttpFilter,
  type XdsRoute,
  type XdsVirtualHost,
} from '@shoal/xds/plugins';
import { Greeter } from '../../test/gen/shoal/meshtest/v1/greeter_pb.js';
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
import { systemClock } from '../support/clock.js';
import { clientFilterChain, runFilters } from './filter-chain.js';
import type { FilterCall, FilterInterceptor, HttpFilterPlugin } from './http-filter.js';
import { createHttpFilterRegistry } from './http-filter-registry.js';
import { routerFilter } from './router-filter.js';

const NAME = 'envoy.filters.http.fault';

function decodeVh(routes: RouteInit[], vhExtra: Record<string, unknown> = {}): XdsVirtualHost {
  const r = decodeRouteConfiguration(
    routeConfiguration('rc', [{ name: 'vh', domains: ['*'], routes, ...vhExtra }]),
  );
  assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
  return r.value.virtualHosts[0]!;
}

function listenerFilters(filters: ReturnType<typeof faultFilter>[]): readonly XdsHttpFilter[] {
  const r = decodeListener(clientListener('l', { filters }));
  assert.ok(r.ok && r.value.kind === 'client', r.ok ? '' : r.errors.join('; '));
  return (r.value as XdsClientListener).http.httpFilters;
}

const abort = (code: Code, pct = 100): FaultInit => ({
  abort: { errorType: { case: 'grpcStatus', value: code }, percentage: { numerator: pct } },
});
const action = (r: XdsRoute) => r.action as XdsForwardingAction;

/** The client chain for a route and its weighted cluster `cluster`, with a fixed random draw. */
function chainFor(
  filters: readonly XdsHttpFilter[],
  vh: XdsVirtualHost,
  r: XdsRoute,
  cluster = 0,
  random = () => 0,
): readonly FilterInterceptor[] {
  const chain = clientFilterChain(
    filters,
    [action(r).clusters[cluster]!.filterOverrides, r.filterOverrides, vh.filterOverrides],
    createHttpFilterRegistry(),
    { clock: systemClock, random },
  );
  assert.ok(typeof chain !== 'string', chain as string);
  return chain;
}

function call(header = new Metadata()): FilterCall & { notes: string[] } {
  const notes: string[] = [];
  return {
    request: {
      stream: false,
      method: Greeter.method.sayHello,
      header,
      signal: new AbortController().signal,
      timeoutMs: undefined,
      message: {},
    },
    path: '/shoal.meshtest.v1.Greeter/SayHello',
    notes,
    note: (step) => notes.push(step),
  };
}

const reached = { stream: false, header: new Metadata(), message: 'reached', trailer: new Metadata() };
const router = () => Promise.resolve(reached as CallResponse);

/** The code a call ends with through `chain` (OK when it reaches the router). */
async function outcome(chain: readonly FilterInterceptor[], c = call()): Promise<Code> {
  try {
    const r = await runFilters(chain, c, router);
    return r === reached ? Code.OK : Code.UNKNOWN;
  } catch (err) {
    return RpcError.from(err).code;
  }
}

describe('client HTTP filter chains (gRFC A39)', () => {
  it('applies filter overrides: weighted cluster over route over virtual host over listener', async () => {
    const filters = listenerFilters([faultFilter(abort(Code.INTERNAL))]);
    const vh = decodeVh(
      [
        {
          ...route(prefix('/w'), [
            ['c1', 1],
            ['c2', 1],
          ]),
        },
        route(prefix('/r'), 'c', { typedPerFilterConfig: { [NAME]: faultOverride(abort(Code.ABORTED)) } }),
        route(prefix('/v'), 'c'),
      ],
      { typedPerFilterConfig: { [NAME]: faultOverride(abort(Code.NOT_FOUND)) } },
    );
    assert.equal(await outcome(chainFor(filters, vh, vh.routes[1]!)), Code.ABORTED, 'route override');
    assert.equal(
      await outcome(chainFor(filters, vh, vh.routes[2]!)),
      Code.NOT_FOUND,
      'virtual host override',
    );
    const bare = decodeVh([route(prefix(), 'c')]);
    assert.equal(await outcome(chainFor(filters, bare, bare.routes[0]!)), Code.INTERNAL, 'listener config');
    // The weighted cluster's own override wins over the route's and the virtual host's.
    const split = route(
      prefix(),
      [
        ['c1', 1, { [NAME]: faultOverride(abort(Code.DATA_LOSS)) }],
        ['c2', 1],
      ],
      { typedPerFilterConfig: { [NAME]: faultOverride(abort(Code.ABORTED)) } },
    );
    const weighted = decodeVh([split]);
    assert.equal(await outcome(chainFor(filters, weighted, weighted.routes[0]!, 0)), Code.DATA_LOSS);
    assert.equal(await outcome(chainFor(filters, weighted, weighted.routes[0]!, 1)), Code.ABORTED);
  });

  it('leaves out a filter an override disables, and one disabled in the listener unless enabled', async () => {
    const disabled = anyPack(envoy.FilterConfigSchema, create(envoy.FilterConfigSchema, { disabled: true }));
    const filters = listenerFilters([faultFilter(abort(Code.INTERNAL))]);
    const vh = decodeVh([route(prefix(), 'c', { typedPerFilterConfig: { [NAME]: disabled } })]);
    assert.deepEqual(chainFor(filters, vh, vh.routes[0]!), []);
    const off: XdsHttpFilter[] = filters.map((f) => ({ ...f, disabled: f.name === NAME }));
    const bare = decodeVh([route(prefix(), 'c')]);
    assert.deepEqual(chainFor(off, bare, bare.routes[0]!), []);
    const enabled = decodeVh([
      route(prefix(), 'c', { typedPerFilterConfig: { [NAME]: faultOverride(abort(Code.ABORTED)) } }),
    ]);
    assert.equal(await outcome(chainFor(off, enabled, enabled.routes[0]!)), Code.ABORTED);
  });

  it('runs faults only for calls whose headers match the fault headers', async () => {
    const filters = listenerFilters([
      faultFilter({
        abort: { errorType: { case: 'grpcStatus', value: Code.UNAVAILABLE }, percentage: { numerator: 100 } },
        headers: [{ name: 'x-chaos', headerMatchSpecifier: { case: 'exactMatch', value: 'on' } }],
      }),
    ]);
    const vh = decodeVh([route(prefix(), 'c')]);
    const chain = chainFor(filters, vh, vh.routes[0]!);
    assert.equal(await outcome(chain, call(new Metadata({ 'x-chaos': 'on' }))), Code.UNAVAILABLE);
    assert.equal(await outcome(chain, call()), Code.OK);
  });

  it('draws the configured percentage, and notes the fault in the call’s steps', async () => {
    const filters = listenerFilters([faultFilter(abort(Code.UNAVAILABLE, 30))]);
    const vh = decodeVh([route(prefix(), 'c')]);
    let r = 0;
    const chain = chainFor(filters, vh, vh.routes[0]!, 0, () => r);
    r = 0.29;
    const faulted = call();
    assert.equal(await outcome(chain, faulted), Code.UNAVAILABLE);
    assert.deepEqual(faulted.notes, [`fault filter "${NAME}": delay 0ms, abort with code 14`]);
    r = 0.3;
    assert.equal(await outcome(chain), Code.OK);
  });

  it('builds nothing for a fault filter with neither delay nor abort (as Istio’s listeners carry)', () => {
    const vh = decodeVh([route(prefix(), 'c')]);
    assert.deepEqual(chainFor(listenerFilters([faultFilter({})]), vh, vh.routes[0]!), []);
  });

  it('fails closed on a filter its registry has no plug-in for, and on an override of another type', () => {
    const filters = listenerFilters([faultFilter(abort(Code.INTERNAL))]);
    const vh = decodeVh([route(prefix(), 'c')]);
    const r = vh.routes[0]!;
    const withoutFault = new HttpFilterRegistry<HttpFilterPlugin>().register(routerFilter);
    assert.match(
      String(clientFilterChain(filters, [], withoutFault, { clock: systemClock, random: Math.random })),
      /HTTP filter "envoy.filters.http.fault" \(type.googleapis.com\/envoy.extensions.filters.http.fault.v3.HTTPFault\) has no plug-in in this client's filter registry/,
    );
    const mismatch = {
      typeUrl: 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBACPerRoute',
      config: {},
      disabled: false,
    };
    assert.match(
      String(
        clientFilterChain(filters, [{ [NAME]: mismatch }, r.filterOverrides], createHttpFilterRegistry(), {
          clock: systemClock,
          random: Math.random,
        }),
      ),
      /the override of HTTP filter "envoy.filters.http.fault" is a .*RBACPerRoute, not a .*HTTPFault/,
    );
  });
});
