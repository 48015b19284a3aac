// gRFC A33 client-side fault injection: Envoy's extensions.filters.http.fault.v3.HTTPFault as a
// plain model. HTTP abort statuses are mapped to gRPC codes as A33 requires, by gRPC's table
// (doc/http-grpc-status-mapping.md, @shoal/rpc's codeFromHttpStatus). An unset percentage is 0 %
// (Envoy's proto default); a numerator above its denominator is 100 %.
import { codeFromHttpStatus } from '@shoal/rpc/plugins';
import { HTTPFaultSchema } from '../gen/envoy/extensions/filters/http/fault/v3/fault_pb.js';
import type { FractionalPercent } from '../gen/envoy/type/v3/percent_pb.js';
import { at, index, type Problems, parse } from './decode-result.js';
import { decodeHeaderMatcher, type XdsHeaderMatcher } from './header-matcher.js';
import { durationToMs, fractionToPerMillion } from './values.js';

/** A fraction as configured (the numerator a fault header sets is scaled by `denominator`). */
export interface XdsFraction {
  /** The probability in parts per million, capped at 1,000,000. */
  readonly perMillion: number;
  readonly denominator: 100 | 10_000 | 1_000_000;
}

/** The fault filter's config (top level or per-route override). */
export interface FaultFilterConfig {
  /** Delay before the call starts: fixed, or taken from `x-envoy-fault-delay-request`. */
  readonly delay?: {
    readonly fixedDelayMs?: number;
    readonly fromHeader: boolean;
    readonly percentage: XdsFraction;
  };
  /** Abort with a gRPC code, or with the code in `x-envoy-fault-abort(-grpc)-request`. */
  readonly abort?: {
    readonly grpcCode?: number;
    readonly fromHeader: boolean;
    readonly percentage: XdsFraction;
  };
  /** Limit on concurrently active faults in this process; unset means unlimited. */
  readonly maxActiveFaults?: number;
  /** Faults apply only to calls that match all of these headers. */
  readonly headers: readonly XdsHeaderMatcher[];
}

const DENOMINATORS = [100, 10_000, 1_000_000] as const;

function fraction(f: FractionalPercent | undefined, path: string, problems: Problems): XdsFraction {
  return {
    perMillion: fractionToPerMillion(f, path, problems) ?? 0,
    denominator: DENOMINATORS[f?.denominator ?? 0] ?? 100,
  };
}

/** Decodes serialized HTTPFault bytes; `undefined` with errors recorded when invalid. */
export function decodeFaultFilterConfig(
  bytes: Uint8Array,
  path: string,
  problems: Problems,
): FaultFilterConfig | undefined {
  const before = problems.errors.length;
  const fault = parse(HTTPFaultSchema, bytes, path, problems);
  if (!fault) return undefined;
  let delay: FaultFilterConfig['delay'];
  if (fault.delay) {
    const p = at(path, 'delay');
    const d = fault.delay.faultDelaySecifier;
    const percentage = fraction(fault.delay.percentage, at(p, 'percentage'), problems);
    if (d.case === 'fixedDelay') {
      delay = {
        fixedDelayMs: durationToMs(d.value, at(p, 'fixed_delay'), problems),
        fromHeader: false,
        percentage,
      };
    } else if (d.case === 'headerDelay') {
      delay = { fromHeader: true, percentage };
    } else {
      problems.add(p, 'fixed_delay or header_delay is required');
    }
  }
  let abort: FaultFilterConfig['abort'];
  if (fault.abort) {
    const p = at(path, 'abort');
    const e = fault.abort.errorType;
    const percentage = fraction(fault.abort.percentage, at(p, 'percentage'), problems);
    if (e.case === 'httpStatus') {
      if (e.value < 200 || e.value >= 600)
        problems.add(at(p, 'http_status'), `${e.value} is not in [200, 600)`);
      else abort = { grpcCode: codeFromHttpStatus(e.value), fromHeader: false, percentage };
    } else if (e.case === 'grpcStatus') {
      if (e.value > 16) problems.add(at(p, 'grpc_status'), `${e.value} is not a gRPC status code`);
      else abort = { grpcCode: e.value, fromHeader: false, percentage };
    } else if (e.case === 'headerAbort') {
      abort = { fromHeader: true, percentage };
    } else {
      problems.add(p, 'http_status, grpc_status or header_abort is required');
    }
  }
  const headers = fault.headers
    .map((h, i) => decodeHeaderMatcher(h, index(at(path, 'headers'), i), problems))
    .filter((h): h is XdsHeaderMatcher => h !== undefined);
  if (problems.errors.length > before) return undefined;
  return {
    ...(delay && { delay }),
    ...(abort && { abort }),
    ...(fault.maxActiveFaults !== undefined && { maxActiveFaults: fault.maxActiveFaults }),
    headers,
  };
}
