import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { Code, Metadata, RpcError } from '@shoal/rpc';
import { seededRandom } from '@shoal/testing';
import { envoy } from '@shoal/xds';
import { decodeListener, type FaultFilterConfig } from '@shoal/xds/plugins';
import { clientListener, type FaultInit, faultFilter } from '../../test/xds-fixtures.js';
import { ManualClock } from '../support/clock.js';
import { FaultGauge, FaultInjector } from './fault-injector.js';

const md = (h: Record<string, string>) => new Metadata(h);

/** The share of calls whose decision satisfies `pred`. */
function share(
  inj: FaultInjector,
  pred: (d: ReturnType<FaultInjector['decide']>) => boolean,
  headers?: Metadata,
) {
  const n = 20_000;
  let hits = 0;
  for (let i = 0; i < n; i++) if (pred(inj.decide(headers))) hits++;
  return hits / n;
}

/** A listener's fault filter config as @shoal/xds decodes it, or its NACK. */
function decodeFault(init: FaultInit): FaultFilterConfig | string {
  const r = decodeListener(clientListener('l', { filters: [faultFilter(init)] }));
  if (!r.ok) return r.errors.join('; ');
  assert.ok(r.value.kind === 'client');
  return r.value.http.httpFilters[0]!.config as FaultFilterConfig;
}

function make(init: FaultInit, seed = 1, gauge?: FaultGauge): FaultInjector {
  const config = decodeFault(init);
  assert.ok(typeof config !== 'string', config as string);
  return new FaultInjector(config, gauge, seededRandom(seed));
}

const fixed = (ms: number) => ({ case: 'fixedDelay' as const, value: durationFromMs(ms) });
const grpc = (value: number) => ({ case: 'grpcStatus' as const, value });
const http = (value: number) => ({ case: 'httpStatus' as const, value });
const fromHeader = { case: 'headerDelay' as const, value: {} };
const abortFromHeader = { case: 'headerAbort' as const, value: {} };

describe('FaultInjector: config faults', () => {
  it('delays the configured fraction of calls by the fixed delay', () => {
    const inj = make({
      delay: {
        faultDelaySecifier: fixed(40),
        percentage: { numerator: 250_000, denominator: envoy.FractionalPercent_DenominatorType.MILLION },
      },
    });
    const s = share(inj, (d) => d?.delayMs === 40);
    assert.ok(Math.abs(s - 0.25) < 0.015, `delayed ${s}`);
    assert.equal(
      share(inj, (d) => d !== undefined && d.delayMs !== 40),
      0,
    );
  });

  it('aborts with a gRPC status, or an HTTP status mapped by gRPC’s table', () => {
    assert.deepEqual(make({ abort: { errorType: grpc(8), percentage: { numerator: 100 } } }).decide(), {
      delayMs: 0,
      abort: Code.RESOURCE_EXHAUSTED,
    });
    const cases: [number, Code][] = [
      [503, Code.UNAVAILABLE],
      [404, Code.UNIMPLEMENTED],
      [401, Code.UNAUTHENTICATED],
      [200, Code.UNKNOWN],
      [418, Code.UNKNOWN],
    ];
    for (const [status, code] of cases)
      assert.equal(
        make({ abort: { errorType: http(status), percentage: { numerator: 100 } } }).decide()?.abort,
        code,
        `${status}`,
      );
    assert.match(
      String(decodeFault({ abort: { errorType: grpc(99), percentage: { numerator: 100 } } })),
      /grpc_status: 99 is not a gRPC status code/,
      'a config status past 16 is NACKed by the decoder',
    );
  });

  it('draws delay and abort independently (20% and 5% → 24% of calls touched)', () => {
    const inj = make({
      delay: { faultDelaySecifier: fixed(1), percentage: { numerator: 20 } },
      abort: { errorType: grpc(14), percentage: { numerator: 5 } },
    });
    const s = share(inj, (d) => d !== undefined);
    assert.ok(Math.abs(s - 0.24) < 0.015, `touched ${s}`);
  });

  it('injects nothing without a percentage (0%, as Envoy’s proto default)', () => {
    assert.equal(make({ abort: { errorType: grpc(14) } }).decide(), undefined);
    assert.equal(make({ delay: { faultDelaySecifier: fixed(5) } }).decide(), undefined);
  });

  it('ignores percentage headers when the fault is not header-controlled', () => {
    const inj = make({ abort: { errorType: grpc(14), percentage: { numerator: 100 } } });
    assert.equal(inj.decide(md({ 'x-envoy-fault-abort-request-percentage': '0' }))?.abort, Code.UNAVAILABLE);
  });
});

describe('FaultInjector: header-controlled faults', () => {
  const inj = make({
    delay: { faultDelaySecifier: fromHeader, percentage: { numerator: 50 } },
    abort: { errorType: abortFromHeader, percentage: { numerator: 100 } },
  });

  it('takes the delay and abort from the headers', () => {
    const d = make({ delay: { faultDelaySecifier: fromHeader, percentage: { numerator: 100 } } }).decide(
      md({ 'x-envoy-fault-delay-request': '53' }),
    );
    assert.deepEqual(d, { delayMs: 53, abort: undefined });
    assert.equal(inj.decide(md({ 'x-envoy-fault-abort-grpc-request': '3' }))?.abort, Code.INVALID_ARGUMENT);
    assert.equal(inj.decide(md({ 'x-envoy-fault-abort-request': '503' }))?.abort, Code.UNAVAILABLE);
    assert.equal(inj.decide(), undefined, 'no headers, no fault');
  });

  it('prefers the HTTP abort header, even an invalid one, over the gRPC one', () => {
    const both = md({ 'x-envoy-fault-abort-request': '429', 'x-envoy-fault-abort-grpc-request': '13' });
    assert.equal(inj.decide(both)?.abort, Code.UNAVAILABLE);
    const bad = md({ 'x-envoy-fault-abort-request': '99', 'x-envoy-fault-abort-grpc-request': '13' });
    assert.equal(inj.decide(bad), undefined);
  });

  it('lets the percentage header lower the config numerator but never raise it', () => {
    const lower = md({
      'x-envoy-fault-abort-grpc-request': '14',
      'x-envoy-fault-abort-request-percentage': '10',
    });
    const s = share(inj, (d) => d?.abort === Code.UNAVAILABLE, lower);
    assert.ok(Math.abs(s - 0.1) < 0.01, `aborted ${s}`);
    const higher = md({ 'x-envoy-fault-delay-request': '5', 'x-envoy-fault-delay-request-percentage': '90' });
    const sd = share(inj, (d) => d?.delayMs === 5, higher);
    assert.ok(Math.abs(sd - 0.5) < 0.015, `delayed ${sd}: capped at the config's 50%`);
  });

  it('ignores malformed headers', () => {
    for (const v of ['abc', '-5', '1.5', ''])
      assert.equal(
        inj.decide(md({ 'x-envoy-fault-abort-grpc-request': v, 'x-envoy-fault-delay-request': v })),
        undefined,
        v,
      );
    const badPct = md({
      'x-envoy-fault-abort-grpc-request': '14',
      'x-envoy-fault-abort-request-percentage': 'x',
    });
    assert.equal(
      inj.decide(badPct)?.abort,
      Code.UNAVAILABLE,
      'bad percentage header: the config percentage applies',
    );
  });
});

describe('FaultInjector.apply', () => {
  it('waits the delay on the clock, then aborts with the status', async () => {
    const clock = new ManualClock();
    const inj = make({});
    let settled = false;
    const p = inj.apply({ delayMs: 100, abort: Code.UNAVAILABLE }, { clock }).finally(() => {
      settled = true;
    });
    p.catch(() => {});
    await tick();
    assert.equal(inj.activeFaults, 1);
    clock.advance(99);
    await tick();
    assert.equal(settled, false);
    clock.advance(1);
    await assert.rejects(
      p,
      (e: unknown) =>
        e instanceof RpcError && e.code === Code.UNAVAILABLE && /fault injection/.test(e.message),
    );
    assert.equal(inj.activeFaults, 0);
  });

  it('reports an OK abort and a plain delay to the caller', async () => {
    const inj = make({});
    assert.equal(await inj.apply({ delayMs: 0, abort: Code.OK }), 'abort-ok');
    const clock = new ManualClock();
    const p = inj.apply({ delayMs: 10, abort: undefined }, { clock });
    clock.advance(10);
    assert.equal(await p, 'proceed');
  });

  it('ends a delayed call with CANCELLED when it is cancelled', async () => {
    const clock = new ManualClock();
    const ac = new AbortController();
    const inj = make({});
    const p = inj.apply({ delayMs: 1_000, abort: undefined }, { clock, signal: ac.signal });
    ac.abort();
    await assert.rejects(p, (e: unknown) => e instanceof RpcError && e.code === Code.CANCELLED);
    assert.equal(inj.activeFaults, 0);
    assert.equal(clock.pending, 0);
  });

  it('stops injecting at max_active_faults, counting across injectors sharing a gauge', async () => {
    const gauge = new FaultGauge();
    const settings: FaultInit = {
      delay: { faultDelaySecifier: fixed(50), percentage: { numerator: 100 } },
      maxActiveFaults: 1,
    };
    const a = make(settings, 1, gauge);
    const b = make(settings, 2, gauge);
    const clock = new ManualClock();
    const d = a.decide()!;
    const running = a.apply(d, { clock });
    assert.equal(b.decide(), undefined, 'b sees a’s active fault');
    clock.advance(50);
    await running;
    assert.ok(b.decide() !== undefined);
  });
});

describe('FaultInjector config', () => {
  it('clamps a numerator above its denominator to 100%', () => {
    assert.equal(
      make({ abort: { errorType: grpc(14), percentage: { numerator: 500 } } }).decide()?.abort,
      Code.UNAVAILABLE,
    );
  });
});
