// Counting where calls landed: the check behind every split, failover and rule test.

/**
 * Runs `call` `n` times in turn and counts the answers by the provider that gave them; a failed
 * call counts under `failureKey(err)` (by default `error: <message>`).
 */
export async function tally(
  n: number,
  call: () => Promise<{ server: string }>,
  failureKey: (err: unknown) => string = (err) => `error: ${(err as Error).message}`,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const key = await call().then((r) => r.server, failureKey);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
