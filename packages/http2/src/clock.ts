// Milliseconds on a monotonic clock, whole numbers counted from process start: small integers,
// which V8 keeps inline in an object (a Date.now() value would be a boxed number per field per
// connection), and immune to wall-clock jumps.

import { performance } from 'node:perf_hooks';

export function now(): number {
  return Math.floor(performance.now());
}
