// One timer for many connections: every tick asks each connection to check its deadlines
// (handshake, SETTINGS ACK, a frame or header block left half-sent by a slowloris peer, output
// a slow reader does not take, idleness). A server holds thousands of connections; a timer per
// connection and per deadline would cost more than the checks.

import { now } from './clock.js';

export interface Watched {
  /** Checks deadlines against `now` (clock.ts). */
  checkTimeouts(now: number): void;
}

export class Watchdog {
  private readonly watched = new Set<Watched>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly periodMs: number) {}

  add(connection: Watched): void {
    this.watched.add(connection);
    if (!this.timer) {
      this.timer = setInterval(this.tick, this.periodMs);
      this.timer.unref();
    }
  }

  delete(connection: Watched): void {
    this.watched.delete(connection);
    if (this.watched.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private readonly tick = (): void => {
    const at = now();
    for (const connection of this.watched) connection.checkTimeouts(at);
  };
}

/** A tick short enough for the shortest deadline to be seen within a quarter of it, 50 ms to 1 s. */
export function watchdogPeriod(timeoutsMs: readonly number[]): number {
  const shortest = Math.min(...timeoutsMs.filter((t) => t > 0 && Number.isFinite(t)));
  return Math.min(1000, Math.max(50, Number.isFinite(shortest) ? shortest / 4 : 1000));
}
