// The serial queue that runs xDS watcher callbacks one at a time, in the order they were queued
// (DESIGN.md house rule; grpc-go's xdsclient "serializer"). A callback that returns a promise
// holds the queue until it settles. A throwing callback is reported and the queue moves on.

export type QueuedCallback = () => void | Promise<void>;

export class CallbackQueue {
  private readonly pending: QueuedCallback[] = [];
  private running = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly onCallbackError: (error: unknown) => void) {}

  push(callback: QueuedCallback): void {
    this.pending.push(callback);
    if (!this.running) {
      this.running = true;
      queueMicrotask(() => void this.drain());
    }
  }

  /** Resolves once every callback queued so far (and any they queue) has run. */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async drain(): Promise<void> {
    for (let next = this.pending.shift(); next; next = this.pending.shift()) {
      try {
        const result = next();
        if (result) await result;
      } catch (error) {
        this.onCallbackError(error);
      }
    }
    this.running = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
