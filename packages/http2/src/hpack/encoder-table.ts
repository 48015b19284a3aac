// The encoder's side of HPACK's dynamic table (RFC 7541 §2.3.2, §4): which fields this connection
// inserted into the peer's table (§6.2.1, literal with incremental indexing) are still there and
// at which index, so a repeated field goes out as one index byte (§6.1) instead of a literal the
// peer must copy and check again. Only a field whose value repeats is inserted: the second time in
// a row a name carries the same value (Istio's metadata exchange headers, a caller's fixed
// metadata), never a value that changes per call (trace ids, deadlines). Entries are evicted
// oldest first exactly as the peer's decoder evicts them (§4.4), so our indexes stay in step.

import { STATIC_TABLE_LENGTH } from './static-table.js';

/** How many names' last values are remembered to spot a repeat (bounded memory per connection). */
const NAMES_LIMIT = 64;

interface Entry {
  readonly value: string;
  /** Insertion number: the entry is in the table while it is at least `evicted`. */
  readonly seq: number;
}

export class EncoderTable {
  private size = 0;
  /** Counts the changes that move indexes (insertions, evictions by a resize): a cache's stamp. */
  changes = 0;
  /** Entries ever inserted, and how many of them (the oldest) were evicted. */
  private inserted = 0;
  private evicted = 0;
  /** The sizes of the entries still in the table, oldest first. */
  private readonly sizes: number[] = [];
  /** The newest entry inserted per name. */
  private readonly byName = new Map<string, Entry>();
  private readonly lastValue = new Map<string, string>();

  constructor(
    /** The table size the peer's decoder holds us to (its SETTINGS_HEADER_TABLE_SIZE, at most 4096). */
    private maxSize: number,
  ) {}

  /** The index (§2.3.3: 62 and up) of `name: value` in the peer's table, or 0 if it is not there. */
  indexOf(name: string, value: string): number {
    const entry = this.byName.get(name);
    if (entry === undefined || entry.value !== value || entry.seq < this.evicted) return 0;
    return STATIC_TABLE_LENGTH + this.inserted - entry.seq;
  }

  /** Whether to insert `name: value` now: it repeats the name's last value and fits well in the table. */
  shouldInsert(name: string, value: string): boolean {
    if (name.length + value.length + 32 > this.maxSize / 2) return false;
    const last = this.lastValue.get(name);
    if (last === value) return true;
    if (last !== undefined || this.lastValue.size < NAMES_LIMIT) this.lastValue.set(name, value);
    return false;
  }

  /** Records an insertion the peer will make when it decodes it (§4.4: evicting the oldest first). */
  add(name: string, value: string): void {
    const entrySize = name.length + value.length + 32;
    this.evictTo(this.maxSize - entrySize);
    this.sizes.push(entrySize);
    this.size += entrySize;
    this.byName.set(name, { value, seq: this.inserted++ });
    this.changes++;
  }

  /** §4.3: the peer lowered the size (our next block starts with the update): evict to fit. */
  resize(maxSize: number): void {
    this.maxSize = maxSize;
    this.evictTo(maxSize);
    this.changes++;
  }

  private evictTo(limit: number): void {
    while (this.size > limit && this.sizes.length > 0) {
      this.size -= this.sizes.shift()!;
      this.evicted++;
    }
  }
}
