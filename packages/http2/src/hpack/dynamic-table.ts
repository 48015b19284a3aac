// HPACK's dynamic table, RFC 7541 §2.3.2 and §4: newest entry first, each entry sized
// name + value octets + 32, oldest entries evicted to stay within the maximum size; an entry
// larger than the maximum empties the table (§4.4). A ring of parallel arrays.

export class DynamicTable {
  private names: string[] = [];
  private values: string[] = [];
  /** Slot of the newest entry; entries run backwards (mod capacity) from it. */
  private head = 0;
  private count = 0;
  /** Sum of the entries' sizes (§4.1). */
  size = 0;

  constructor(
    /** The current maximum size; a size update (§6.3) changes it. */
    public maxSize: number,
  ) {}

  get length(): number {
    return this.count;
  }

  /** Entry `index` (1 = newest); undefined past the end. */
  name(index: number): string | undefined {
    if (index < 1 || index > this.count) return undefined;
    return this.names[this.slot(index)];
  }

  value(index: number): string {
    return this.values[this.slot(index)]!;
  }

  add(name: string, value: string): void {
    const entrySize = name.length + value.length + 32;
    if (entrySize > this.maxSize) {
      this.clear(); // §4.4: not an error; the table ends up empty
      return;
    }
    this.evictTo(this.maxSize - entrySize);
    const capacity = this.names.length;
    if (this.count === capacity) this.grow();
    this.head = (this.head + 1) % this.names.length;
    this.names[this.head] = name;
    this.values[this.head] = value;
    this.count++;
    this.size += entrySize;
  }

  /** §4.3: a new maximum size evicts entries until the table fits. */
  resize(maxSize: number): void {
    this.maxSize = maxSize;
    this.evictTo(maxSize);
  }

  private evictTo(limit: number): void {
    while (this.size > limit && this.count > 0) {
      const oldest = this.slot(this.count);
      this.size -= this.names[oldest]!.length + this.values[oldest]!.length + 32;
      this.names[oldest] = '';
      this.values[oldest] = '';
      this.count--;
    }
  }

  private clear(): void {
    this.names = [];
    this.values = [];
    this.head = 0;
    this.count = 0;
    this.size = 0;
  }

  private slot(index: number): number {
    const capacity = this.names.length;
    return (this.head - (index - 1) + capacity) % capacity;
  }

  /** Doubles the ring, keeping the entries' order (newest at head). */
  private grow(): void {
    const capacity = Math.max(8, this.names.length * 2);
    const names = new Array<string>(capacity).fill('');
    const values = new Array<string>(capacity).fill('');
    for (let i = 1; i <= this.count; i++) {
      const from = this.slot(i);
      names[this.count - i] = this.names[from]!;
      values[this.count - i] = this.values[from]!;
    }
    this.head = Math.max(0, this.count - 1);
    this.names = names;
    this.values = values;
  }
}
