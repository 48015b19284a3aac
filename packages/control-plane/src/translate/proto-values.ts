// Small builders for protobuf well-known values used across the translator.

import { create } from '@bufbuild/protobuf';
import { type Duration, DurationSchema } from '@bufbuild/protobuf/wkt';
import { envoy } from '@shoal/xds';
import { parseDurationNanos } from '../config/durations.js';

/** A google.protobuf.Duration from an Istio duration string (validated by the store). */
export function durationOf(text: string): Duration {
  const nanos = parseDurationNanos(text);
  if (typeof nanos === 'string') throw new Error(nanos);
  return durationFromMs(nanos / 1e6);
}

export function durationFromMs(ms: number): Duration {
  const seconds = Math.floor(ms / 1000);
  return create(DurationSchema, {
    seconds: BigInt(seconds),
    nanos: Math.round((ms - seconds * 1000) * 1e6),
  });
}

/** Istio's percentage (0–100, a double) as an Envoy FractionalPercent per million. */
export function fractionalPercentOf(percent: number): envoy.FractionalPercent {
  const clamped = Math.min(100, Math.max(0, percent));
  return create(envoy.FractionalPercentSchema, {
    numerator: Math.round(clamped * 10_000),
    denominator: envoy.FractionalPercent_DenominatorType.MILLION,
  });
}

export const adsConfigSource = (): envoy.ConfigSource =>
  create(envoy.ConfigSourceSchema, {
    configSourceSpecifier: { case: 'ads', value: {} },
    resourceApiVersion: envoy.ApiVersion.V3,
  });
