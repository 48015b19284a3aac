// Polling for a condition in tests that cannot be told when it holds (a control plane's push, a
// process that comes up): bounded in time, and the error says what was waited for.

/** Polls `check` every `intervalMs` (default 10) until it holds; fails after `timeoutMs` (default 5 s). */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5000,
  intervalMs = 10,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
