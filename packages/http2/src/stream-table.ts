// A connection's open streams by id. Not a Map: V8 links every hash table a Map leaves behind
// (grown, or rebuilt to drop deleted entries) to the one that replaced it. Once a full GC has
// moved a Map's table to the old generation, that dead table keeps each later one alive through
// every young-generation GC, and with them every stream they held and all it references: under
// steady traffic a third of a client's allocation was promoted and left for full GCs to collect
// (bench/README.md, "Garbage a Map kept alive"). Linear probing over plain arrays links nothing,
// and a deleted slot lets go of its stream at once.

const EMPTY = 0;
const MIN_CAPACITY = 16;

/**
 * Streams (anything with an id) by id. It grows to twice the most streams open at once (which
 * SETTINGS_MAX_CONCURRENT_STREAMS bounds) and does not shrink: shrinking when streams closed made
 * a client whose responses came in batches shrink and grow again on every batch.
 */
export class StreamTable<S extends { readonly id: number }> {
  /** Stream ids by slot, EMPTY where none (ids are positive). */
  private ids = new Int32Array(MIN_CAPACITY);
  private slots: (S | undefined)[] = new Array<undefined>(MIN_CAPACITY).fill(undefined);
  private mask = MIN_CAPACITY - 1;
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(id: number): S | undefined {
    const ids = this.ids;
    for (let i = this.home(id); ; i = (i + 1) & this.mask) {
      const at = ids[i]!;
      if (at === id) return this.slots[i];
      if (at === EMPTY) return undefined;
    }
  }

  /** Adds stream `id`, which is not in the table. */
  set(id: number, stream: S): void {
    if ((this.count + 1) * 2 > this.ids.length) this.grow(this.ids.length * 2);
    const ids = this.ids;
    let i = this.home(id);
    while (ids[i] !== EMPTY) i = (i + 1) & this.mask;
    ids[i] = id;
    this.slots[i] = stream;
    this.count++;
  }

  delete(id: number): void {
    const { ids, slots, mask } = this;
    let hole = this.home(id);
    for (; ids[hole] !== id; hole = (hole + 1) & mask) if (ids[hole] === EMPTY) return;
    // Backward shift: a later entry of the same run moves into the hole unless that would put it
    // before its home slot, so lookups never need deleted marks.
    for (let j = (hole + 1) & mask; ids[j] !== EMPTY; j = (j + 1) & mask) {
      if (((j - this.home(ids[j]!)) & mask) >= ((j - hole) & mask)) {
        ids[hole] = ids[j]!;
        slots[hole] = slots[j];
        hole = j;
      }
    }
    ids[hole] = EMPTY;
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
    this.ids = new Int32Array(MIN_CAPACITY);
    this.slots = new Array<undefined>(MIN_CAPACITY).fill(undefined);
    this.mask = MIN_CAPACITY - 1;
    this.count = 0;
  }

  /** Ids of one side go up by 2, so consecutive ids take consecutive slots. */
  private home(id: number): number {
    return (id >>> 1) & this.mask;
  }

  private grow(capacity: number): void {
    const streams = this.values();
    this.ids = new Int32Array(capacity);
    this.slots = new Array<undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
    this.count = 0;
    for (const stream of streams) this.set(stream.id, stream);
  }
}
