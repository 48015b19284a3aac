// gRPC connection backoff (gRPC: doc/connection-backoff.md): the first retry INITIAL_BACKOFF (1 s)
// after the first attempt started, then ×1.6 per attempt up to 120 s, each later delay jittered by
// ±20%. Delays count from the start of the failed attempt, as in gRPC. The ADS stream resets it once
// a stream has received a response (gRFC A57). After such a reset it first probes every quarter of
// the base delay (jittered) for one base delay: a control plane restarting in place is found again
// within 1 s of coming back, however short its restart, and the schedule never grows across restarts.

export interface BackoffOptions {
  /** First delay. Default 1000 ms. */
  readonly baseMs?: number;
  /** Default 1.6. */
  readonly multiplier?: number;
  /** Default 120 000 ms. */
  readonly maxMs?: number;
  /** Fraction of each delay to jitter by, both ways. Default 0.2. */
  readonly jitter?: number;
  /** Uniform random in [0, 1). Default Math.random. */
  readonly random?: () => number;
  /** Clock in ms. Default Date.now. */
  readonly now?: () => number;
}

export class Backoff {
  private readonly baseMs: number;
  private readonly multiplier: number;
  private readonly maxMs: number;
  private readonly jitter: number;
  private readonly random: () => number;
  private readonly now: () => number;
  private current: number;
  private attempts = 0;
  private probeUntil: number | undefined;

  constructor(options: BackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 1000;
    this.multiplier = options.multiplier ?? 1.6;
    this.maxMs = options.maxMs ?? 120_000;
    this.jitter = options.jitter ?? 0.2;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    if (!(this.baseMs >= 0 && this.multiplier >= 1 && this.maxMs >= this.baseMs)) {
      throw new RangeError(`backoff: need 0 <= baseMs <= maxMs and multiplier >= 1`);
    }
    if (!(this.jitter >= 0 && this.jitter < 1)) throw new RangeError('backoff: jitter must be in [0, 1)');
    this.current = this.baseMs;
  }

  /** The delay from the start of the failed attempt to the next one; each call grows the following one. */
  next(): number {
    if (this.probeUntil !== undefined) {
      if (this.now() < this.probeUntil) return this.jittered(this.baseMs / 4);
      this.probeUntil = undefined;
    }
    if (this.attempts++ === 0) return this.baseMs; // gRPC: the first deadline is not jittered
    this.current = Math.min(this.current * this.multiplier, this.maxMs);
    return this.jittered(this.current);
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

  private jittered(ms: number): number {
    return Math.round(ms * (1 + this.jitter * (2 * this.random() - 1)));
  }

  /** Starts over at the first delay. */
  reset(): void {
    this.current = this.baseMs;
    this.attempts = 0;
    this.probeUntil = undefined;
  }
}
