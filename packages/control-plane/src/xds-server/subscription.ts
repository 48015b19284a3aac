// What a client subscribed to for one resource type, and the table through which the streams with
// the same subscription share one Set of names (thousands of clients of one service subscribe
// alike, and an idle stream should cost little).
// Envoy: xDS protocol ("How the client specifies what resources to return").

/** What a client subscribed to for one type: everything (wildcard) and/or named resources. */
export interface Subscription {
  wildcard: boolean;
  /** Never modified once a subscription holds it: a change installs another Set (snapshots key on it). */
  names: ReadonlySet<string>;
}

/** The names of a subscription to none, shared by every such state. */
export const NO_NAMES: ReadonlySet<string> = new Set();

/** Distinct subscriptions remembered for sharing before the table starts over. */
const MAX_SHARED_NAME_SETS = 4096;

/** One Set per distinct subscription, handed to every stream that names the same resources. */
export class SharedNameSets {
  private sets = new Map<string, ReadonlySet<string>>();

  /**
   * The Set shared by the streams subscribed to exactly `names` (`names` itself if it is the
   * first). Callers must never modify it. The table only grows with distinct subscriptions; it
   * starts over past a bound, so names that no stream uses any more do not pile up (the streams
   * keep the Sets they have).
   */
  share(names: Set<string>): ReadonlySet<string> {
    const key = [...names].sort().join('\u0000');
    const shared = this.sets.get(key);
    if (shared) return shared;
    if (this.sets.size >= MAX_SHARED_NAME_SETS) this.sets = new Map();
    this.sets.set(key, names);
    return names;
  }
}
