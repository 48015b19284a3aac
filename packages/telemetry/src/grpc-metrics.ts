// gRFC A66's per-call instruments, client (per attempt and per call) and server, with A66's units,
// attributes (grpc.method, grpc.target, grpc.status) and bucket boundaries. Methods the server has
// no implementation for are recorded as `other` (A66: generic method names would let a caller
// blow up the cardinality). Label sets are interned (series-table.ts): each (method, target) and
// (method, target, status) is looked up in an array per method, not hashed per record.

import type { Attributes, Histogram, Meter } from '@opentelemetry/api';
import { Code, codeName } from '@shoal/rpc/client';
import {
  A66,
  A66_LATENCY_BUCKETS,
  A66_SIZE_BUCKETS,
  GRPC_METHOD,
  GRPC_STATUS,
  GRPC_TARGET,
} from './instrument-names.js';
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

const latency = { advice: { explicitBucketBoundaries: A66_LATENCY_BUCKETS } };
const size = { advice: { explicitBucketBoundaries: A66_SIZE_BUCKETS } };

function histogram(meter: Meter, d: { name: string; unit: string; description: string }, buckets: object) {
  return meter.createHistogram(d.name, { unit: d.unit, description: d.description, ...buckets });
}

/** The A66 client instruments. */
export class GrpcClientInstruments {
  readonly attemptStarted: Tally;
  readonly attemptDuration: Histogram;
  readonly attemptSentSize: Histogram;
  readonly attemptRcvdSize: Histogram;
  readonly callDuration: Histogram;

  constructor(meter: Meter) {
    this.attemptStarted = new Tally(meter, A66.clientAttemptStarted);
    this.attemptDuration = histogram(meter, A66.clientAttemptDuration, latency);
    this.attemptSentSize = histogram(meter, A66.clientAttemptSentSize, size);
    this.attemptRcvdSize = histogram(meter, A66.clientAttemptRcvdSize, size);
    this.callDuration = histogram(meter, A66.clientCallDuration, latency);
  }
}

/** The A66 server instruments. */
export class GrpcServerInstruments {
  readonly callStarted: Tally;
  readonly callDuration: Histogram;
  readonly callSentSize: Histogram;
  readonly callRcvdSize: Histogram;

  constructor(meter: Meter) {
    this.callStarted = new Tally(meter, A66.serverCallStarted);
    this.callDuration = histogram(meter, A66.serverCallDuration, latency);
    this.callSentSize = histogram(meter, A66.serverCallSentSize, size);
    this.callRcvdSize = histogram(meter, A66.serverCallRcvdSize, size);
  }
}

/** `/package.Service/Method` → A66's `package.Service/Method`. */
export function methodName(path: string): string {
  return path.startsWith('/') ? path.slice(1) : path;
}
