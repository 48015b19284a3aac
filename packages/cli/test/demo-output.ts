// Reading `shoal demo`'s output in tests: when not on a terminal it prints one table per second,
// each under a timestamp line; `lastFrameText` is the newest complete one.

export function lastFrameText(output: string): string | undefined {
  return output
    .split(/\n(?=\d{4}-\d\d-\d\dT[\d:.]+Z\n)/)
    .filter((f) => f.includes('ZONE'))
    .at(-1);
}

/** Polls `read` every 250 ms until it returns a value. */
export async function until<T>(read: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
