// A connection's open streams by id. Not a Map: V8 links every hash table a Map leaves behind
// (grown, or rebuilt to drop deleted entries) to the one that replaced it. Once a full GC has
// moved a Map's table to the old generation, that dead table keeps each later one alive through
// every young-generation GC, and with them every stream they held and all it references: under
// steady traffic a third of a client's allocation was promoted and left for full GCs to collect
// (bench/README.md, "Garbage a Map kept alive"). Linear probing over a plain array links nothing,
// and a deleted slot lets go of its stream at once.

const MIN_CAPACITY = 8;

/**
 * Streams (anything with an id) by id. It grows to twice the most streams open at once (which
 * SETTINGS_MAX_CONCURRENT_STREAMS bounds) and does not shrink: shrinking when streams closed made
 * a client whose responses came in batches shrink and grow again on every batch. One array of
 * streams, each slot empty or a stream whose own id says whose slot it is: no more memory than a
 * Map for an idle connection.
 */
export class StreamTable<S extends { readonly id: number }> {
  private slots: (S | undefined)[] = new Array<undefined>(MIN_CAPACITY).fill(undefined);
  private mask = MIN_CAPACITY - 1;
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(id: number): S | undefined {
    const slots = this.slots;
    for (let i = this.home(id); ; i = (i + 1) & this.mask) {
      const at = slots[i];
      if (at === undefined || at.id === id) return at;
    }
  }

  /** Adds `stream`, whose id is not in the table. */
  set(stream: S): void {
    if ((this.count + 1) * 2 > this.slots.length) this.grow(this.slots.length * 2);
    const slots = this.slots;
    let i = this.home(stream.id);
    while (slots[i] !== undefined) i = (i + 1) & this.mask;
    slots[i] = stream;
    this.count++;
  }

  delete(id: number): void {
    const { slots, mask } = this;
    let hole = this.home(id);
    for (; slots[hole]?.id !== id; hole = (hole + 1) & mask) if (slots[hole] === undefined) return;
    // Backward shift: a later stream of the same run moves into the hole unless that would put it
    // before its home slot, so lookups never need deleted marks.
    for (let j = (hole + 1) & mask, at = slots[j]; at !== undefined; j = (j + 1) & mask, at = slots[j]) {
      if (((j - this.home(at.id)) & mask) >= ((j - hole) & mask)) {
        slots[hole] = at;
        hole = j;
      }
    }
    slots[hole] = undefined;
    this.count--;
  }

  /** The streams, in no particular order: a copy, so callers may close them on the way. */
  values(): S[] {
    const out: S[] = [];
    for (const stream of this.slots) if (stream !== undefined) out.push(stream);
    return out;
  }

  clear(): void {
    this.empty(MIN_CAPACITY);
  }

  /** Ids of one side go up by 2, so consecutive ids take consecutive slots. */
  private home(id: number): number {
    return (id >>> 1) & this.mask;
  }

  private grow(capacity: number): void {
    const streams = this.values();
    this.empty(capacity);
    for (const stream of streams) this.set(stream);
  }

  /** `capacity` empty slots (a power of two). */
  private empty(capacity: number): void {
    this.slots = new Array<undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
    this.count = 0;
  }
}
