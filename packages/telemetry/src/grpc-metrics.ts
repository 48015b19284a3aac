// gRFC A66's per-call instruments, client (per attempt and per call) and server, with A66's units,
// attributes (grpc.method, grpc.target, grpc.status) and bucket boundaries. Methods the server has
// no implementation for are recorded as `other` (A66: generic method names would let a caller
// blow up the cardinality). Label sets are interned (series-table.ts): each (method, target) and
// (method, target, status) is looked up in an array per method, not hashed per record.

import type { Attributes, Meter } from '@opentelemetry/api';
import { Code, codeName } from '@shoal/rpc/client';
import {
  A66,
  A66_LATENCY_BUCKETS,
  A66_SIZE_BUCKETS,
  GRPC_METHOD,
  GRPC_STATUS,
  GRPC_TARGET,
} from './instrument-names.js';
import { CallHistograms, type SeriesHistogram, type SeriesHistograms } from './series-histogram.js';
import { type SeriesTable, Tally } from './series-table.js';

const CODES = Object.values(Code).filter((c): c is Code => typeof c === 'number');

/** The recording attributes of one method: without a status, and per status code. */
export class MethodSeries {
  readonly base: Attributes;
  readonly byStatus: Attributes[];

  constructor(
    table: SeriesTable,
    /** A66's grpc.method: `package.Service/Method`, or `other`. */
    readonly method: string,
    target: string | undefined,
  ) {
    const base: Attributes = { [GRPC_METHOD]: method };
    if (target !== undefined) base[GRPC_TARGET] = target;
    const prefix = `grpc|${method}|${target ?? '#server'}`;
    this.base = table.series(prefix, () => base);
    this.byStatus = CODES.map((code) =>
      table.series(`${prefix}|${code}`, () => ({ ...base, [GRPC_STATUS]: codeName(code) })),
    );
  }

  status(code: Code): Attributes {
    return this.byStatus[code] ?? this.byStatus[Code.UNKNOWN]!;
  }
}

/** The histograms of the meter `shoal` (series-histogram.ts). */
export interface HistogramScope {
  readonly histograms: SeriesHistograms;
  readonly name: string;
  readonly version: string;
}

function histogram(
  scope: HistogramScope,
  d: { name: string; unit: string; description: string },
  buckets: readonly number[],
): SeriesHistogram {
  return scope.histograms.histogram(scope.name, scope.version, d, buckets);
}

/** The A66 client instruments. */
export class GrpcClientInstruments {
  readonly attemptStarted: Tally;
  /** An attempt's duration (seconds), sent and received sizes. */
  readonly attempt: CallHistograms;
  readonly callDuration: SeriesHistogram;

  constructor(meter: Meter, scope: HistogramScope) {
    this.attemptStarted = new Tally(meter, A66.clientAttemptStarted);
    this.attempt = new CallHistograms(
      histogram(scope, A66.clientAttemptDuration, A66_LATENCY_BUCKETS),
      histogram(scope, A66.clientAttemptSentSize, A66_SIZE_BUCKETS),
      histogram(scope, A66.clientAttemptRcvdSize, A66_SIZE_BUCKETS),
    );
    this.callDuration = histogram(scope, A66.clientCallDuration, A66_LATENCY_BUCKETS);
  }
}

/** The A66 server instruments. */
export class GrpcServerInstruments {
  readonly callStarted: Tally;
  /** A call's duration (seconds), received (request) and sent (response) sizes. */
  readonly call: CallHistograms;

  constructor(meter: Meter, scope: HistogramScope) {
    this.callStarted = new Tally(meter, A66.serverCallStarted);
    const duration = histogram(scope, A66.serverCallDuration, A66_LATENCY_BUCKETS);
    const sent = histogram(scope, A66.serverCallSentSize, A66_SIZE_BUCKETS);
    const received = histogram(scope, A66.serverCallRcvdSize, A66_SIZE_BUCKETS);
    this.call = new CallHistograms(duration, received, sent);
  }
}

/** `/package.Service/Method` → A66's `package.Service/Method`. */
export function methodName(path: string): string {
  return path.startsWith('/') ? path.slice(1) : path;
}
