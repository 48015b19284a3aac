// A one-consumer async queue: producers push from event handlers, the consumer iterates.
// `onLowWater` fires when the consumer has caught up, so the producer can resume its source.
// Internal.

export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  private ended = false;
  private error: unknown;
  private failed = false;

  constructor(
    private readonly highWater = 16,
    private readonly onHighWater?: () => void,
    private readonly onLowWater?: () => void,
    private readonly onReturn?: () => void,
  ) {}

  push(item: T): void {
    if (this.ended) return;
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      resolve({ value: item, done: false });
      return;
    }
    this.items.push(item);
    if (this.items.length === this.highWater) this.onHighWater?.();
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.waiter && this.items.length === 0) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      resolve({ value: undefined, done: true });
    }
  }

  fail(error: unknown): void {
    if (this.ended) return;
    this.failed = true;
    this.error = error;
    this.ended = true;
    if (this.waiter && this.items.length === 0) {
      const { reject } = this.waiter;
      this.waiter = undefined;
      reject(error);
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.items.length > 0) {
          const value = this.items.shift()!;
          if (this.items.length === 0) this.onLowWater?.();
          return Promise.resolve({ value, done: false });
        }
        if (this.ended) {
          return this.failed ? Promise.reject(this.error) : Promise.resolve({ value: undefined, done: true });
        }
        this.onLowWater?.();
        return new Promise((resolve, reject) => {
          this.waiter = { resolve, reject };
        });
      },
      return: () => {
        // The consumer stopped early (break, throw): tell the producer so it can cancel.
        if (!this.ended) {
          this.ended = true;
          this.onReturn?.();
        }
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
