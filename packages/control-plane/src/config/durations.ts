// Duration strings as Istio's YAML carries them: Go's time.ParseDuration syntax (`1h30m`, `100ms`,
// `1.5s`), which also covers protobuf JSON's seconds form (`1.5s`). Istio: agent.ValidateDuration.

const UNIT_NANOS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Parses a duration into nanoseconds, or returns an error message. */
export function parseDurationNanos(text: string): number | string {
  let s = text.trim();
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return `invalid duration ${JSON.stringify(text)}`;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < s.length) {
    const start = PART.lastIndex;
    const m = PART.exec(s);
    if (!m || m.index !== start) {
      return `invalid duration ${JSON.stringify(text)}: expected a number and a unit (h, m, s, ms, us, ns), e.g. "1.5s" or "100ms"`;
    }
    total += Number(m[1]) * UNIT_NANOS[m[2]!]!;
  }
  return sign * Math.round(total);
}

/** Parses a duration into milliseconds; throws on bad input (use after validation). */
export function parseDurationMs(text: string): number {
  const nanos = parseDurationNanos(text);
  if (typeof nanos === 'string') throw new Error(nanos);
  return nanos / 1e6;
}

/** Istio's rule for durations in traffic config: at least 1ms, with millisecond precision. */
export function checkDuration(text: string): string | undefined {
  const nanos = parseDurationNanos(text);
  if (typeof nanos === 'string') return nanos;
  if (nanos < 1e6) return 'duration must be greater than 1ms';
  if (nanos % 1e6 !== 0) return 'only durations to ms precision are supported';
  return undefined;
}
