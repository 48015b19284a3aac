import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create, type MessageInitShape, toBinary } from '@bufbuild/protobuf';
import * as envoy from '../envoy.js';
import { Problems } from './decode-result.js';
import { decodeFaultFilterConfig } from './fault-filter.js';

function decode(init: MessageInitShape<typeof envoy.HTTPFaultSchema>) {
  const problems = new Problems();
  const config = decodeFaultFilterConfig(
    toBinary(envoy.HTTPFaultSchema, create(envoy.HTTPFaultSchema, init)),
    'f',
    problems,
  );
  return { config, errors: problems.errors };
}

describe('decodeFaultFilterConfig (gRFC A33)', () => {
  it('decodes header-controlled faults, header matchers and a missing percentage as 0%', () => {
    const { config, errors } = decode({
      delay: {
        faultDelaySecifier: { case: 'headerDelay', value: {} },
        percentage: { numerator: 20, denominator: 0 },
      },
      abort: { errorType: { case: 'headerAbort', value: {} } },
      headers: [{ name: 'x-fault', headerMatchSpecifier: { case: 'presentMatch', value: true } }],
    });
    assert.deepEqual(errors, []);
    assert.deepEqual(config, {
      delay: { fromHeader: true, percentage: { perMillion: 200_000, denominator: 100 } },
      abort: { fromHeader: true, percentage: { perMillion: 0, denominator: 100 } },
      headers: [
        {
          name: 'x-fault',
          match: { kind: 'present', present: true },
          invert: false,
          treatMissingAsEmpty: false,
        },
      ],
    });
  });

  it('maps HTTP statuses to gRPC codes as A33 says', () => {
    assert.deepEqual(
      [200, 400, 401, 403, 404, 429, 502, 503, 504, 500].map(
        (value) => decode({ abort: { errorType: { case: 'httpStatus', value } } }).config?.abort?.grpcCode,
      ),
      [2, 13, 16, 7, 12, 14, 14, 14, 14, 2],
    );
  });

  it('names each missing or bad fault kind', () => {
    assert.deepEqual(
      decode({
        delay: { percentage: { numerator: 10 } },
        abort: { errorType: { case: 'httpStatus', value: 700 } },
      }).errors,
      ['f.delay: fixed_delay or header_delay is required', 'f.abort.http_status: 700 is not in [200, 600)'],
    );
    assert.deepEqual(decode({ abort: {} }).errors, [
      'f.abort: http_status, grpc_status or header_abort is required',
    ]);
    assert.deepEqual(decode({ abort: { errorType: { case: 'grpcStatus', value: 99 } } }).errors, [
      'f.abort.grpc_status: 99 is not a gRPC status code',
    ]);
  });

  it('rejects bad codes, bad durations and unparsable bytes', () => {
    assert.deepEqual(
      decode({
        delay: { faultDelaySecifier: { case: 'fixedDelay', value: { seconds: 1n, nanos: -1 } } },
        abort: { errorType: { case: 'grpcStatus', value: 17 } },
      }).errors,
      [
        'f.delay.fixed_delay: duration must not be negative',
        'f.abort.grpc_status: 17 is not a gRPC status code',
      ],
    );
    const problems = new Problems();
    assert.equal(decodeFaultFilterConfig(new Uint8Array([0x0a, 0x05]), 'f', problems), undefined);
    assert.match(
      problems.errors[0] ?? '',
      /^f: cannot parse envoy.extensions.filters.http.fault.v3.HTTPFault/,
    );
  });
});
