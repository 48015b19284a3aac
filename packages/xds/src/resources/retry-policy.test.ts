import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import * as envoy from '../envoy.js';
import { Problems } from './decode-result.js';
import { decodeRetryPolicy } from './retry-policy.js';

function decode(init: MessageInitShape<typeof envoy.RetryPolicySchema>) {
  const problems = new Problems();
  const policy = decodeRetryPolicy(create(envoy.RetryPolicySchema, init), 'rp', problems);
  return { policy, errors: problems.errors };
}

const CANCELLED = 1;
const DEADLINE_EXCEEDED = 4;
const RESOURCE_EXHAUSTED = 8;
const INTERNAL = 13;
const UNAVAILABLE = 14;

describe('decodeRetryPolicy (gRFC A44)', () => {
  it('reads Istio’s default retry_on as UNAVAILABLE and CANCELLED, ignoring the HTTP conditions', () => {
    const { policy } = decode({
      retryOn: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes',
      numRetries: 2,
    });
    assert.deepEqual([...policy!.retryOn].sort(), [CANCELLED, UNAVAILABLE]);
    assert.deepEqual(policy!.ignoredConditions, [
      'connect-failure',
      'refused-stream',
      'retriable-status-codes',
    ]);
    assert.equal(policy!.maxAttempts, 3);
  });

  it('knows all five gRPC conditions in any case and spacing, and keeps unknown names aside', () => {
    const { policy } = decode({
      retryOn: 'Cancelled,deadline-exceeded, internal ,resource-exhausted,unavailable,unavailible,5xx',
      numRetries: 10,
    });
    assert.deepEqual(
      [...policy!.retryOn].sort((a, b) => a - b),
      [CANCELLED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, INTERNAL, UNAVAILABLE],
    );
    assert.deepEqual(policy!.unknownConditions, ['unavailible']);
    assert.deepEqual(policy!.ignoredConditions, ['5xx']);
    assert.equal(policy!.maxAttempts, 11, 'the client caps attempts (gRFC A6), not the decoder');
  });

  it('defaults to one retry with 25 ms / 250 ms backoff, and is no policy without a gRPC code', () => {
    const { policy } = decode({ retryOn: 'unavailable' });
    assert.equal(policy!.maxAttempts, 2);
    assert.equal(policy!.baseBackoffMs, 25);
    assert.equal(policy!.maxBackoffMs, 250);
    assert.equal(decode({}).policy, undefined);
    const base100 = decode({ retryOn: 'unavailable', retryBackOff: { baseInterval: durationFromMs(100) } });
    assert.equal(base100.policy!.maxBackoffMs, 1000);
  });

  it('rejects bad backoff values with their paths', () => {
    assert.deepEqual(
      decode({ retryOn: 'unavailable', retryBackOff: { baseInterval: durationFromMs(0) } }).errors,
      ['rp.retry_back_off.base_interval: must be greater than 0'],
    );
    assert.deepEqual(
      decode({
        retryOn: 'unavailable',
        retryBackOff: { baseInterval: durationFromMs(50), maxInterval: durationFromMs(10) },
      }).errors,
      ['rp.retry_back_off.max_interval: must not be less than base_interval'],
    );
  });
});
