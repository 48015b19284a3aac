// A steady call schedule: tick n is due at start + n/qps seconds. Each timer is set for the next
// due time (not a fixed interval), so timer lateness does not add up; when the process falls
// more than one tick behind, missed ticks are dropped instead of sent as a burst.

export interface QpsSchedule {
  stop(): void;
}

export function startQpsSchedule(qps: number, tick: () => void): QpsSchedule {
  if (!(qps > 0)) throw new RangeError(`qps must be positive, got ${qps}`);
  const intervalMs = 1000 / qps;
  let base = performance.now();
  let n = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    const now = performance.now();
    let due = base + n * intervalMs;
    if (now - due > intervalMs) {
      // Behind by more than one tick: start a new schedule from now.
      base = now;
      n = 0;
      due = now;
    }
    timer = setTimeout(fire, Math.max(0, due - now));
  };
  const fire = () => {
    if (stopped) return;
    n++;
    tick();
    schedule();
  };
  schedule();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
