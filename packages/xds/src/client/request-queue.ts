// An async queue of outgoing stream messages: push() from anywhere, one reader iterates. Each
// message is handed to `onTake` when the transport takes it, which is when it counts as sent.

export class RequestQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private wake: (() => void) | undefined;
  private ended = false;

  constructor(private readonly onTake: (item: T) => void = () => {}) {}

  push(item: T): void {
    if (this.ended) return;
    this.items.push(item);
    this.wake?.();
  }

  /** Ends the iteration once the queued messages are taken. */
  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        this.onTake(item);
        yield item;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}
