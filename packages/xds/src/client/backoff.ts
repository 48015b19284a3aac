// Reconnect backoff for the ADS stream, in the shape of gRFC A6's retry backoff: the n-th retry
// waits random(0, min(INITIAL × MULTIPLIER^(n-1), MAX)) after the failed attempt started ("full
// jitter"). INITIAL is 1 s and MULTIPLIER 1.6 as in gRPC's connection backoff
// (doc/connection-backoff.md), but MAX is 4 s rather than 120 s: after an outage of any length a
// returning control plane is tried within 4 s, and because every delay is drawn afresh from the
// whole window, 10,000 clients that lost it at the same moment come back spread over those 4 s
// instead of in step. The ADS stream resets the backoff once a stream has received a response
// (gRFC A57); it then probes every random(0, INITIAL / 4) for one INITIAL delay, so a control plane
// restarting in place is found within a quarter second of coming back.

export interface BackoffOptions {
  /** INITIAL: the ceiling of the first delay. Default 1000 ms. */
  readonly baseMs?: number;
  /** Default 1.6. */
  readonly multiplier?: number;
  /** MAX: the ceiling never grows past it. Default 4000 ms. */
  readonly maxMs?: number;
  /**
   * How much of each ceiling is random: a delay is drawn from [ceiling × (1 - jitter), ceiling].
   * Default 1 (full jitter, as gRFC A6); 0 makes every delay its ceiling.
   */
  readonly jitter?: number;
  /** Uniform random in [0, 1). Default Math.random. */
  readonly random?: () => number;
  /** Clock in ms. Default Date.now. */
  readonly now?: () => number;
}

/** The default MAX: how long a client may take to find a returning control plane. */
export const DEFAULT_MAX_BACKOFF_MS = 4000;

export class Backoff {
  private readonly baseMs: number;
  private readonly multiplier: number;
  private readonly maxMs: number;
  private readonly jitter: number;
  private readonly random: () => number;
  private readonly now: () => number;
  private ceiling: number;
  private probeUntil: number | undefined;

  constructor(options: BackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 1000;
    this.multiplier = options.multiplier ?? 1.6;
    this.maxMs = options.maxMs ?? Math.max(DEFAULT_MAX_BACKOFF_MS, this.baseMs);
    this.jitter = options.jitter ?? 1;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    if (!(this.baseMs >= 0 && this.multiplier >= 1 && this.maxMs >= this.baseMs)) {
      throw new RangeError(`backoff: need 0 <= baseMs <= maxMs and multiplier >= 1`);
    }
    if (!(this.jitter >= 0 && this.jitter <= 1)) throw new RangeError('backoff: jitter must be in [0, 1]');
    this.ceiling = this.baseMs;
  }

  /** The delay from the start of the failed attempt to the next one; each call grows the following one. */
  next(): number {
    if (this.probeUntil !== undefined) {
      if (this.now() < this.probeUntil) return this.draw(this.baseMs / 4);
      this.probeUntil = undefined;
    }
    const delay = this.draw(this.ceiling);
    this.ceiling = Math.min(this.ceiling * this.multiplier, this.maxMs);
    return delay;
  }

  /** True while probing after resetAfterHealthy(). */
  get probing(): boolean {
    return this.probeUntil !== undefined && this.now() < this.probeUntil;
  }

  /** A connection that worked has ended: start over, probing quickly for one base delay first. */
  resetAfterHealthy(): void {
    this.reset();
    this.probeUntil = this.now() + this.baseMs;
  }

  /** Starts over at the first delay. */
  reset(): void {
    this.ceiling = this.baseMs;
    this.probeUntil = undefined;
  }

  private draw(ceiling: number): number {
    return Math.round(ceiling * (1 - this.jitter * this.random()));
  }
}
