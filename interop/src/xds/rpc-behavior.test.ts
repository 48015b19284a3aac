import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code, Metadata, RpcError } from '@shoal/rpc';
import { applyRpcBehaviors, parseRpcBehaviors } from './rpc-behavior.js';

const md = (...values: string[]) => new Metadata({ 'rpc-behavior': values });
const never = new AbortController().signal;

describe('rpc-behavior', () => {
  it('parses every behaviour, comma lists and several values', () => {
    assert.deepEqual(
      parseRpcBehaviors(['sleep-2, keep-open', 'error-code-14,succeed-on-retry-attempt-3'], 'a'),
      [
        { kind: 'sleep', seconds: 2 },
        { kind: 'keep-open' },
        { kind: 'error-code', code: 14 },
        { kind: 'succeed-on-retry-attempt', attempt: 3 },
      ],
    );
  });

  it('applies hostname= prefixed behaviours only on that host', () => {
    const values = ['hostname=b error-code-4', 'hostname=a sleep-1'];
    assert.deepEqual(parseRpcBehaviors(values, 'a'), [{ kind: 'sleep', seconds: 1 }]);
    assert.deepEqual(parseRpcBehaviors(values, 'b'), [{ kind: 'error-code', code: 4 }]);
    assert.deepEqual(parseRpcBehaviors(values, 'c'), []);
  });

  it('rejects unknown or malformed behaviours with INVALID_ARGUMENT naming the item', () => {
    for (const [value, why] of [
      ['dance', /"dance": unknown behaviour/],
      ['sleep-x', /"sleep-x": "sleep-" needs a non-negative integer/],
      ['error-code-17', /error-code must be a gRPC status code/],
      ['hostname=a', /needs a behaviour after a space/],
    ] as const) {
      assert.throws(
        () => parseRpcBehaviors([value], 'a'),
        (err: unknown) =>
          err instanceof RpcError && err.code === Code.INVALID_ARGUMENT && why.test(err.message),
      );
    }
  });

  it('fails with the requested code, sleeps, and lets a retry attempt succeed', async () => {
    await assert.rejects(
      applyRpcBehaviors(md('error-code-14'), 'a', never),
      (err: RpcError) => err.code === 14,
    );
    // sleep-0 answers (no wall-clock bound: timing is noisy here; sleep-60 is held in the next test)
    await applyRpcBehaviors(md('sleep-0'), 'a', never);
    const retried = md('succeed-on-retry-attempt-2,error-code-13');
    retried.set('grpc-previous-rpc-attempts', '2');
    await applyRpcBehaviors(retried, 'a', never);
    await assert.rejects(applyRpcBehaviors(md('succeed-on-retry-attempt-2,error-code-13'), 'a', never), {
      code: Code.INTERNAL,
    });
    await applyRpcBehaviors(new Metadata(), 'a', never);
  });

  it('keep-open and sleep hold the call until it is cancelled', async () => {
    for (const behavior of ['keep-open', 'sleep-60']) {
      const controller = new AbortController();
      const held = applyRpcBehaviors(md(behavior), 'a', controller.signal);
      let settled = false;
      held.catch(() => {}).finally(() => (settled = true));
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(settled, false, `${behavior} answered early`);
      controller.abort();
      await assert.rejects(held, { code: Code.CANCELLED });
    }
  });
});
