import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { Code, Metadata, RpcError } from '@shoal/rpc';
import type { envoy } from '@shoal/xds';
import { decodeRouteConfiguration, type XdsRetryPolicy } from '@shoal/xds/plugins';
import { decodedCluster, prefix, route, routeConfiguration } from '../../test/xds-fixtures.js';
import { ManualClock } from '../support/clock.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { backoffMs, type RetryInfo, runWithRetries } from './retry-policy.js';

type RetryPolicyInit = MessageInitShape<typeof envoy.RetryPolicySchema>;

/** A route's retry policy as @shoal/xds decodes it, defaults included. */
function decodedPolicy(init: RetryPolicyInit): XdsRetryPolicy {
  const r = decodeRouteConfiguration(
    routeConfiguration('rc', [
      { name: 'vh', domains: ['*'], routes: [route(prefix(), 'c', { retryPolicy: init })] },
    ]),
  );
  assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
  const action = r.value.virtualHosts[0]!.routes[0]!.action;
  assert.ok(action.kind === 'route' && action.retryPolicy !== undefined);
  return action.retryPolicy;
}

/** Advances the manual clock in steps until the promise settles. */
async function drive<T>(clock: ManualClock, p: Promise<T>, stepMs = 5): Promise<T> {
  let settled = false;
  p.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < 10_000 && !settled; i++) {
    await tick();
    clock.advance(stepMs);
  }
  return p;
}

/** An attempt function failing with the given codes in turn, then returning 'ok'. */
function failing(codes: Code[], metadata?: Metadata[]) {
  const seen: number[] = [];
  const fn = async (ctx: { attempt: number }) => {
    seen.push(ctx.attempt);
    const i = ctx.attempt - 1;
    const code = codes[i];
    if (code !== undefined) throw new RpcError(code, `attempt ${ctx.attempt}`, { metadata: metadata?.[i] });
    return 'ok';
  };
  return { fn, seen };
}

describe('backoffMs', () => {
  it('doubles from base and stops at max, with full jitter below the cap', () => {
    const p = decodedPolicy({ retryOn: 'unavailable' });
    const top = () => 0.999999;
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((n) => Math.round(backoffMs(p, n, top))),
      [25, 50, 100, 200, 250, 250],
    );
    assert.equal(
      backoffMs(p, 3, () => 0),
      0,
    );
    assert.equal(
      backoffMs(p, 3, () => 0.5),
      50,
    );
  });
});

describe('runWithRetries', () => {
  const policy = decodedPolicy({ retryOn: 'unavailable,internal', numRetries: 3 });

  it('retries retryable codes until success, backing off in between', async () => {
    const clock = new ManualClock();
    const { fn, seen } = failing([Code.UNAVAILABLE, Code.INTERNAL]);
    const retries: RetryInfo[] = [];
    const result = await drive(
      clock,
      runWithRetries(policy, fn, { clock, random: () => 0.999, onRetry: (i) => retries.push(i) }),
    );
    assert.equal(result, 'ok');
    assert.deepEqual(seen, [1, 2, 3]);
    assert.deepEqual(
      retries.map((r) => [r.attempt, Math.round(r.delayMs), r.error.code]),
      [
        [1, 25, Code.UNAVAILABLE],
        [2, 50, Code.INTERNAL],
      ],
    );
    assert.ok(clock.now() >= 75);
  });

  it('gives up after max attempts with the last error', async () => {
    const clock = new ManualClock();
    const { fn, seen } = failing([
      Code.UNAVAILABLE,
      Code.UNAVAILABLE,
      Code.UNAVAILABLE,
      Code.UNAVAILABLE,
      Code.UNAVAILABLE,
    ]);
    await assert.rejects(drive(clock, runWithRetries(policy, fn, { clock })), /attempt 4/);
    assert.deepEqual(seen, [1, 2, 3, 4]);
  });

  it('caps attempts at 5 (gRFC A6), or at the cap it is given', async () => {
    const clock = new ManualClock();
    const ten = decodedPolicy({ retryOn: 'unavailable', numRetries: 10 });
    assert.equal(ten.maxAttempts, 11);
    const always = () => failing(Array.from({ length: 20 }, () => Code.UNAVAILABLE));
    const five = always();
    await assert.rejects(drive(clock, runWithRetries(ten, five.fn, { clock })), /attempt 5/);
    assert.deepEqual(five.seen, [1, 2, 3, 4, 5]);
    const eight = always();
    await assert.rejects(drive(clock, runWithRetries(ten, eight.fn, { clock, maxAttempts: 8 })), /attempt 8/);
    assert.equal(eight.seen.length, 8);
  });

  it('does not retry other codes, or errors that are not RpcErrors', async () => {
    const { fn, seen } = failing([Code.NOT_FOUND]);
    await assert.rejects(
      runWithRetries(policy, fn),
      (e: unknown) => e instanceof RpcError && e.code === Code.NOT_FOUND,
    );
    assert.deepEqual(seen, [1]);
    let calls = 0;
    await assert.rejects(
      runWithRetries(policy, async () => {
        calls++;
        throw new TypeError('bug');
      }),
      (e: unknown) => e instanceof RpcError && e.code === Code.UNKNOWN,
    );
    assert.equal(calls, 1);
  });

  it('never retries once the attempt has committed (response headers or messages seen)', async () => {
    let calls = 0;
    await assert.rejects(
      runWithRetries(policy, async (ctx) => {
        calls++;
        ctx.commit();
        throw new RpcError(Code.UNAVAILABLE, 'stream broke mid-way');
      }),
      /mid-way/,
    );
    assert.equal(calls, 1);
  });

  it('waits exactly a valid pushback, and stops on an invalid one', async () => {
    const clock = new ManualClock();
    const push = new Metadata({ 'grpc-retry-pushback-ms': '300' });
    const { fn } = failing([Code.UNAVAILABLE], [push]);
    const retries: RetryInfo[] = [];
    await drive(clock, runWithRetries(policy, fn, { clock, onRetry: (i) => retries.push(i) }));
    assert.equal(retries[0]!.delayMs, 300);
    const stop = failing([Code.UNAVAILABLE], [new Metadata({ 'grpc-retry-pushback-ms': '-1' })]);
    await assert.rejects(runWithRetries(policy, stop.fn, { clock }), /attempt 1/);
    assert.deepEqual(stop.seen, [1]);
  });

  it('does not start a retry whose backoff ends past the deadline', async () => {
    const clock = new ManualClock(1_000);
    const { fn, seen } = failing([Code.UNAVAILABLE]);
    await assert.rejects(
      runWithRetries(policy, fn, { clock, deadline: 1_010, random: () => 0.9 }),
      /attempt 1/,
    );
    assert.deepEqual(seen, [1]);
  });

  it('stops with CANCELLED when the signal aborts during backoff', async () => {
    const clock = new ManualClock();
    const ac = new AbortController();
    const { fn, seen } = failing([Code.UNAVAILABLE]);
    const p = runWithRetries(policy, fn, { clock, signal: ac.signal, random: () => 0.5 });
    await tick();
    ac.abort();
    await assert.rejects(p, (e: unknown) => e instanceof RpcError && e.code === Code.CANCELLED);
    assert.deepEqual(seen, [1]);
    assert.equal(clock.pending, 0);
  });

  it('needs a max_retries slot from the circuit breaker for each retry', async () => {
    const clock = new ManualClock();
    const cb = new CircuitBreaker(
      'c',
      decodedCluster('c', { thresholds: { maxRetries: 0 } }).circuitBreakers,
    );
    const { fn, seen } = failing([Code.UNAVAILABLE]);
    await assert.rejects(runWithRetries(policy, fn, { clock, retryGate: cb }), /attempt 1/);
    assert.deepEqual(seen, [1]);
    const open = new CircuitBreaker(
      'c',
      decodedCluster('c', { thresholds: { maxRetries: 1 } }).circuitBreakers,
    );
    const again = failing([Code.UNAVAILABLE, Code.UNAVAILABLE]);
    assert.equal(await drive(clock, runWithRetries(policy, again.fn, { clock, retryGate: open })), 'ok');
    assert.equal(open.outstandingRetries, 0, 'slots released after each retry');
  });
});
