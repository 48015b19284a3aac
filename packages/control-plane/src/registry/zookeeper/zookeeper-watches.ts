// Standing watches on ZooKeeper nodes. ZooKeeper's watches fire once; each is set again as the
// node is read again, so a caller sees every later state (not every step between two reads, which
// ZooKeeper does not promise either). One loop per node and session: asking twice is one watch.
// ZooKeeper: one-shot watches (ZooKeeper Programmer's Guide, "ZooKeeper Watches").

import type { ZooKeeperSession } from './zookeeper-session.js';

export class ZooKeeperWatches {
  private readonly active = new Set<string>();

  constructor(
    private readonly session: ZooKeeperSession,
    private readonly onError: (err: unknown, path: string) => void,
  ) {}

  /** Forgets the loops of an ended session (its watches are gone with it). */
  reset(): void {
    this.active.clear();
  }

  /**
   * Calls `onChildren` with the node's children now and after every change (undefined while the
   * node does not exist: its creation is watched). Resolves after the first read.
   */
  children(
    path: string,
    session: number,
    onChildren: (children: string[] | undefined) => void,
  ): Promise<void> {
    const key = `children:${path}`;
    const read = async (): Promise<void> => {
      onChildren(await this.session.children(path, () => this.again(key, session, read)));
    };
    return this.start(key, session, read);
  }

  /** Calls `onData` with the node's data now and after every change; undefined once it is gone. */
  data(path: string, session: number, onData: (data: Buffer | undefined) => void): Promise<void> {
    const key = `data:${path}`;
    const read = async (): Promise<void> => {
      const data = await this.session.data(path, () => this.again(key, session, read));
      // A missing node leaves no watch: the loop ends, and the parent's children start a new one.
      if (data === undefined) this.active.delete(key);
      onData(data);
    };
    return this.start(key, session, read);
  }

  private start(key: string, session: number, read: () => Promise<void>): Promise<void> {
    if (this.active.has(key) || session !== this.session.session) return Promise.resolve();
    this.active.add(key);
    return read().catch((err) => this.fail(key, err));
  }

  private again(key: string, session: number, read: () => Promise<void>): void {
    if (session !== this.session.session || !this.active.has(key)) return;
    read().catch((err) => this.fail(key, err));
  }

  private fail(key: string, err: unknown): void {
    // A read cut off by a disconnect is read again by the next session's sync.
    this.active.delete(key);
    this.onError(err, key);
  }
}
