// A request stream the test cases feed one message at a time (ping-pong), or keep open
// (timeouts, cancellation) until they end it.

export class RequestQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiter: ((result: IteratorResult<T>) => void) | undefined;
  private ended = false;

  push(item: T): void {
    if (this.ended) throw new Error('request stream already ended');
    if (this.waiter) {
      const resolve = this.waiter;
      this.waiter = undefined;
      resolve({ value: item, done: false });
    } else {
      this.items.push(item);
    }
  }

  /** Half-closes the stream once the queued requests are taken. */
  end(): void {
    this.ended = true;
    if (this.waiter && this.items.length === 0) {
      const resolve = this.waiter;
      this.waiter = undefined;
      resolve({ value: undefined, done: true });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        const item = this.items.shift();
        if (item !== undefined) return Promise.resolve({ value: item, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.waiter = resolve));
      },
      return: () => {
        this.end();
        return Promise.resolve({ value: undefined, done: true });
      },
      // As a generator without a catch: the stream ends and the error comes back. connect-node
      // calls this to stop a request stream when its call fails.
      throw: (error: unknown) => {
        this.end();
        return Promise.reject(error);
      },
    };
  }
}
