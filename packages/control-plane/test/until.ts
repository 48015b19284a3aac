// Polls a condition every 20 ms until it holds (resolves with the time it took) or fails after
// `timeoutMs`, naming what it waited for. A probe that throws counts as "not yet" (a replica that
// is down answers nothing).

export async function until(
  what: string,
  probe: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      if (await probe()) return Date.now() - started;
    } catch {
      // not yet
    }
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
