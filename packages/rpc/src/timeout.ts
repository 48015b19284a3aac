// Deadlines on the wire: gRPC's `grpc-timeout` (PROTOCOL-HTTP2: TimeoutValue TimeoutUnit) and the
// Triple variants other implementations send (`tri-service-timeout` and `Triple-Timeout-Ms`, in ms).

const unitMs: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001 };

/** Parses `grpc-timeout`; undefined when absent, NaN when malformed (the caller reports it). */
export function parseGrpcTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{1,8})([HMSmun])$/.exec(value);
  if (!m) return Number.NaN;
  return Number(m[1]) * unitMs[m[2]!]!;
}

/** Formats milliseconds as `grpc-timeout` with at most 8 digits, choosing the finest unit that fits. */
export function formatGrpcTimeout(ms: number): string {
  const clamped = Math.max(0, ms);
  if (clamped < 1) return `${Math.max(1, Math.ceil(clamped * 1000))}u`;
  for (const [unit, size] of [
    ['m', 1],
    ['S', 1000],
    ['M', 60_000],
    ['H', 3_600_000],
  ] as const) {
    const value = Math.ceil(clamped / size);
    if (value < 100_000_000) return `${value}${unit}`;
  }
  return '99999999H';
}

function parseMillis(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  return /^\d{1,12}$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
}

/**
 * Reads a request's timeout in ms from whichever header carries it. Node lower-cases header
 * names, so `TRI-Service-Timeout` and `Triple-Timeout-Ms` arrive as the lower-case keys here.
 */
export function timeoutFromHeaders(
  headers: Record<string, string | string[] | undefined>,
): number | undefined {
  return (
    parseGrpcTimeout(first(headers, 'grpc-timeout')) ??
    parseMillis(first(headers, 'tri-service-timeout')) ??
    parseMillis(first(headers, 'triple-timeout-ms'))
  );
}

function first(headers: Record<string, string | string[] | undefined>, key: string): string | undefined {
  const v = headers[key];
  return Array.isArray(v) ? v[0] : v;
}
