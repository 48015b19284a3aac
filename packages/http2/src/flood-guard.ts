// Rate limits for frames that cost a server work but carry no request: a token bucket per kind
// and connection. Each frame takes a token; tokens come back at `ratePerSecond` up to `burst`;
// a frame finding the bucket empty ends the connection with GOAWAY ENHANCE_YOUR_CALM (RFC 9113
// §5.4.1, §10.5). What is counted where:
// - resets: streams the peer resets before we answered, and streams we refuse or reset for its
//   errors (rapid reset, CVE-2023-44487; reset flood, CVE-2019-9514);
// - control: SETTINGS and PING frames, each of which we must answer (CVE-2019-9512, -9515);
// - empty: frames that carry nothing: DATA without payload or END_STREAM, header fragments
//   without bytes, PRIORITY, and WINDOW_UPDATE while we have nothing waiting to send
//   (CVE-2019-9513, -9518).

import { now } from './clock.js';

/** Limits of one kind of frame: a burst, and tokens regained per second. */
export interface FloodLimit {
  burst: number;
  ratePerSecond: number;
}

export interface FloodLimits {
  resets: FloodLimit;
  control: FloodLimit;
  empty: FloodLimit;
}

export const defaultFloodLimits: FloodLimits = {
  resets: { burst: 1000, ratePerSecond: 100 },
  control: { burst: 100, ratePerSecond: 20 },
  empty: { burst: 10_000, ratePerSecond: 1000 },
};

export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(private readonly limit: FloodLimit) {
    this.tokens = limit.burst;
    this.refilledAt = now();
  }

  /** Takes one token; false when none is left. */
  take(): boolean {
    if (this.tokens >= 1) {
      this.tokens--;
      return true;
    }
    const at = now();
    const regained = ((at - this.refilledAt) / 1000) * this.limit.ratePerSecond;
    this.refilledAt = at;
    this.tokens = Math.min(this.limit.burst, this.tokens + regained);
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }
}

/** The buckets of one connection, each made when first needed (most connections never use one). */
export class FloodGuard {
  private resets: TokenBucket | undefined;
  private control: TokenBucket | undefined;
  private empty: TokenBucket | undefined;

  constructor(private readonly limits: FloodLimits) {}

  /** One token of the rate limit on resets; false once the peer has used them up. */
  takeReset(): boolean {
    return (this.resets ??= new TokenBucket(this.limits.resets)).take();
  }

  /** One token for a SETTINGS or PING frame. */
  takeControl(): boolean {
    return (this.control ??= new TokenBucket(this.limits.control)).take();
  }

  /** One token for a frame that carries nothing. */
  takeEmpty(): boolean {
    return (this.empty ??= new TokenBucket(this.limits.empty)).take();
  }
}
