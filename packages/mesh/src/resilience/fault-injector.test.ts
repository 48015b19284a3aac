import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { Code, Metadata, RpcError } from '@shoal/rpc';
import { ManualClock } from '../support/clock.js';
import { seededRandom } from '../support/random-source.js';
import { FaultGauge, FaultInjector, type FaultSettings } from './fault-injector.js';

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

const make = (s: FaultSettings, seed = 1, gauge?: FaultGauge) =>
  new FaultInjector(s, 'fault', gauge, seededRandom(seed));

describe('FaultInjector: config faults', () => {
  it('delays the configured fraction of calls by the fixed delay', () => {
    const inj = make({
      delay: { fixedDelayMs: 40, percentage: { numerator: 250_000, denominator: 'MILLION' } },
    });
    const s = share(inj, (d) => d?.delayMs === 40);
    assert.ok(Math.abs(s - 0.25) < 0.015, `delayed ${s}`);
    assert.equal(
      share(inj, (d) => d !== undefined && d.delayMs !== 40),
      0,
    );
  });

  it('aborts with a gRPC status, or an HTTP status mapped by gRPC’s table', () => {
    assert.deepEqual(make({ abort: { grpcStatus: 8, percentage: { numerator: 100 } } }).decide(), {
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
    for (const [http, code] of cases)
      assert.equal(
        make({ abort: { httpStatus: http, percentage: { numerator: 100 } } }).decide()?.abort,
        code,
        `${http}`,
      );
    assert.equal(
      make({ abort: { grpcStatus: 99, percentage: { numerator: 100 } } }).decide()?.abort,
      Code.UNKNOWN,
    );
  });

  it('draws delay and abort independently (20% and 5% → 24% of calls touched)', () => {
    const inj = make({
      delay: { fixedDelayMs: 1, percentage: { numerator: 20 } },
      abort: { grpcStatus: 14, percentage: { numerator: 5 } },
    });
    const s = share(inj, (d) => d !== undefined);
    assert.ok(Math.abs(s - 0.24) < 0.015, `touched ${s}`);
  });

  it('injects nothing without a percentage (0%, as Envoy’s proto default)', () => {
    assert.equal(make({ abort: { grpcStatus: 14 } }).decide(), undefined);
    assert.equal(make({ delay: { fixedDelayMs: 5 } }).decide(), undefined);
  });

  it('ignores percentage headers when the fault is not header-controlled', () => {
    const inj = make({ abort: { grpcStatus: 14, percentage: { numerator: 100 } } });
    assert.equal(inj.decide(md({ 'x-envoy-fault-abort-request-percentage': '0' }))?.abort, Code.UNAVAILABLE);
  });
});

describe('FaultInjector: header-controlled faults', () => {
  const inj = make({
    delay: { headerDelay: true, percentage: { numerator: 50 } },
    abort: { headerAbort: true, percentage: { numerator: 100 } },
  });

  it('takes the delay and abort from the headers', () => {
    const d = make({ delay: { headerDelay: true, percentage: { numerator: 100 } } }).decide(
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
    const settings: FaultSettings = {
      delay: { fixedDelayMs: 50, percentage: { numerator: 100 } },
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

describe('FaultInjector config errors', () => {
  it('names each bad field', () => {
    assert.throws(
      () =>
        new FaultInjector(
          {
            delay: { fixedDelayMs: 5, headerDelay: true },
            abort: { httpStatus: 700, percentage: { numerator: -1 } },
            maxActiveFaults: -2,
          },
          'filters[0].fault',
        ),
      (e: unknown) =>
        e instanceof RpcError &&
        e.code === Code.INVALID_ARGUMENT &&
        [
          'filters[0].fault.delay: set exactly one',
          'filters[0].fault.abort.httpStatus',
          'filters[0].fault.abort.percentage.numerator',
          'filters[0].fault.maxActiveFaults',
        ].every((s) => e.message.includes(s)),
    );
    assert.throws(
      () => new FaultInjector({ abort: {} }),
      /fault\.abort: set exactly one of httpStatus, grpcStatus and headerAbort/,
    );
  });

  it('clamps a numerator above its denominator to 100%', () => {
    assert.equal(
      make({ abort: { grpcStatus: 14, percentage: { numerator: 500 } } }).decide()?.abort,
      Code.UNAVAILABLE,
    );
  });
});
