// A watcher for tests (internal): records every callback in order and lets a test wait for one.
import type { RpcError } from '@shoal/rpc';
import type { XdsWatcher } from '../src/client/resource-cache.js';

export type WatchEvent<T> =
  | { readonly kind: 'update'; readonly value: T }
  | { readonly kind: 'error'; readonly error: RpcError }
  | { readonly kind: 'does-not-exist' };

export class WatchRecorder<T> implements XdsWatcher<T> {
  readonly events: WatchEvent<T>[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  onUpdate(value: T): void {
    this.record({ kind: 'update', value });
  }

  onError(error: RpcError): void {
    this.record({ kind: 'error', error });
  }

  onDoesNotExist(): void {
    this.record({ kind: 'does-not-exist' });
  }

  /** Resolves with the event at `index` once there is one; rejects after timeoutMs. */
  async event(index: number, timeoutMs = 5000): Promise<WatchEvent<T>> {
    if (this.events.length <= index) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no watch event #${index} in ${timeoutMs} ms; got ${this.describe()}`)),
          timeoutMs,
        );
        this.waiters.push({
          count: index + 1,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    }
    return this.events[index]!;
  }

  /** The kinds seen so far, e.g. `update,error`. */
  describe(): string {
    return this.events.map((e) => e.kind).join(',') || 'nothing';
  }

  private record(event: WatchEvent<T>): void {
    this.events.push(event);
    const ready = this.waiters.filter((w) => this.events.length >= w.count);
    this.waiters = this.waiters.filter((w) => this.events.length < w.count);
    for (const w of ready) w.resolve();
  }
}
