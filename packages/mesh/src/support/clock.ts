// Time for the data plane, injected so tests are deterministic: outlier detection's interval,
// retry backoff, fault delays and the wait for a first config all go through a Clock. The system
// clock's timers are unref'd: they never keep a process alive on their own.

export interface TimerHandle {
  readonly __timer?: never;
}

export interface Clock {
  /** Milliseconds, monotonic enough for intervals (Date.now for the system clock). */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
}

export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms).unref() as TimerHandle,
  clearTimeout: (h: TimerHandle) => clearTimeout(h as NodeJS.Timeout),
  setInterval: (fn: () => void, ms: number) => setInterval(fn, ms).unref() as TimerHandle,
  clearInterval: (h: TimerHandle) => clearInterval(h as NodeJS.Timeout),
});

interface ManualTimer extends TimerHandle {
  at: number;
  readonly every: number | undefined;
  readonly fn: () => void;
  readonly seq: number;
}

/** A clock that moves only when told to; timers fire in time order during advance(). */
export class ManualClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly timers = new Set<ManualTimer>();

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms, undefined);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms, Math.max(1, ms));
  }

  clearTimeout(handle: TimerHandle): void {
    this.cancel(handle);
  }

  clearInterval(handle: TimerHandle): void {
    this.cancel(handle);
  }

  /** Timers not yet fired or cancelled. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing each due timer at its own time, in order. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      let next: ManualTimer | undefined;
      for (const t of this.timers)
        if (
          t.at <= target &&
          (next === undefined || t.at < next.at || (t.at === next.at && t.seq < next.seq))
        )
          next = t;
      if (next === undefined) break;
      this.time = next.at;
      if (next.every === undefined) this.timers.delete(next);
      else next.at += next.every;
      next.fn();
    }
    this.time = target;
  }

  private add(fn: () => void, ms: number, every: number | undefined): TimerHandle {
    const t: ManualTimer = { at: this.time + Math.max(0, ms), every, fn, seq: this.seq++ };
    this.timers.add(t);
    return t;
  }

  private cancel(handle: TimerHandle): void {
    this.timers.delete(handle as ManualTimer);
  }
}

/** Resolves after `ms` on `clock`; rejects with the signal's reason if it aborts first. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clock.clearTimeout(handle);
      reject(signal!.reason);
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
