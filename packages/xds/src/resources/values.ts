// Conversions from protobuf values to the plain units of Shoal's models: durations in
// milliseconds, fractions in parts per million, metadata as JSON objects. Internal.
// Envoy: type.v3.FractionalPercent, core.v3.Metadata, core.v3.Locality; protobuf Duration.
import type { JsonObject } from '@bufbuild/protobuf';
import type { Duration } from '@bufbuild/protobuf/wkt';
import type { Locality, Metadata } from '../gen/envoy/config/core/v3/base_pb.js';
import {
  type FractionalPercent,
  FractionalPercent_DenominatorType,
} from '../gen/envoy/type/v3/percent_pb.js';
import type { XdsLocality } from '../locality.js';
import { at, type Problems } from './decode-result.js';

// protobuf's Duration range: ±10,000 years.
const MAX_DURATION_SECONDS = 315_576_000_000n;

/** A Duration as milliseconds; records an error for out-of-range or negative values. */
export function durationToMs(d: Duration | undefined, path: string, problems: Problems): number | undefined {
  if (!d) return undefined;
  if (d.seconds < 0n || d.nanos < 0) {
    problems.add(path, 'duration must not be negative');
    return undefined;
  }
  if (d.seconds > MAX_DURATION_SECONDS || d.nanos > 999_999_999) {
    problems.add(path, 'duration out of range');
    return undefined;
  }
  return Number(d.seconds) * 1000 + d.nanos / 1_000_000;
}

const PER_MILLION: Record<FractionalPercent_DenominatorType, number> = {
  [FractionalPercent_DenominatorType.HUNDRED]: 10_000,
  [FractionalPercent_DenominatorType.TEN_THOUSAND]: 100,
  [FractionalPercent_DenominatorType.MILLION]: 1,
};

/**
 * A FractionalPercent as parts per million, capped at 1,000,000 (Envoy and gRPC treat a numerator
 * above the denominator as 100%). An unknown denominator is an error.
 */
export function fractionToPerMillion(
  f: FractionalPercent | undefined,
  path: string,
  problems: Problems,
): number | undefined {
  if (!f) return undefined;
  const scale = PER_MILLION[f.denominator];
  if (scale === undefined) {
    problems.add(at(path, 'denominator'), `unknown denominator ${f.denominator}`);
    return undefined;
  }
  return Math.min(1_000_000, f.numerator * scale);
}

/** `filter_metadata` as plain JSON objects per filter name (typed metadata is not modelled). */
export function metadataToModel(m: Metadata | undefined): Record<string, JsonObject> {
  return m ? { ...m.filterMetadata } : {};
}

export function localityToModel(l: Locality | undefined): XdsLocality {
  return { region: l?.region ?? '', zone: l?.zone ?? '', subZone: l?.subZone ?? '' };
}
