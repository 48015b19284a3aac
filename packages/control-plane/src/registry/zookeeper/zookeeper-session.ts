// One ZooKeeper session at a time over node-zookeeper-client, as promises, with its life told to
// the owner: `connected` (a new session: watches and ephemeral nodes must be set again),
// `resumed` (the same session after a disconnect: nothing was lost), `disconnected` (the cache
// stays: the session may resume), `expired` (the server dropped the session, or we were cut off
// longer than its timeout: what it told us may be stale). After an expiry a new session starts.
// ZooKeeper: sessions, one-shot watches, ephemeral nodes (ZooKeeper Programmer's Guide).

import zookeeper from 'node-zookeeper-client';

export type SessionState = 'connected' | 'resumed' | 'disconnected' | 'expired';

export interface ZooKeeperSessionOptions {
  /** `host:port[,host:port...]`, optionally with a chroot path. */
  readonly connect: string;
  /** Requested session timeout (the server clamps it to 2..20 ticks). Default 10 s. */
  readonly sessionTimeoutMs?: number;
  readonly onState: (state: SessionState, session: number) => void;
}

const NO_NODE = zookeeper.Exception.NO_NODE;
const NODE_EXISTS = zookeeper.Exception.NODE_EXISTS;

const code = (err: unknown) => (err as { getCode?: () => number }).getCode?.();

export class ZooKeeperSession {
  private client: zookeeper.Client | undefined;
  /** Increases with every new session; results of an older one are dropped. */
  private sessionValue = 0;
  private connectedOnce = false;
  private expiryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly options: ZooKeeperSessionOptions;

  constructor(options: ZooKeeperSessionOptions) {
    this.options = options;
  }

  get session(): number {
    return this.sessionValue;
  }

  get connected(): boolean {
    return this.client?.getState() === zookeeper.State.SYNC_CONNECTED;
  }

  start(): void {
    if (this.closed) return;
    const timeout = this.options.sessionTimeoutMs ?? 10_000;
    const client = zookeeper.createClient(this.options.connect, {
      sessionTimeout: timeout,
      spinDelay: 200,
      retries: 2,
    });
    this.client = client;
    const session = ++this.sessionValue;
    this.connectedOnce = false;
    client.on('state', (state) => {
      if (this.closed || client !== this.client) return;
      if (state === zookeeper.State.SYNC_CONNECTED || state === zookeeper.State.CONNECTED_READ_ONLY) {
        clearTimeout(this.expiryTimer);
        this.expiryTimer = undefined;
        this.options.onState(this.connectedOnce ? 'resumed' : 'connected', session);
        this.connectedOnce = true;
      } else if (state === zookeeper.State.DISCONNECTED) {
        this.options.onState('disconnected', session);
        // The server expires a session it has not heard from for its timeout; so do we, since a
        // server we cannot reach cannot tell us.
        this.expiryTimer ??= setTimeout(
          () => this.expire(client, session),
          client.getSessionTimeout() || timeout,
        );
        this.expiryTimer.unref();
      } else if (state === zookeeper.State.EXPIRED) {
        this.expire(client, session);
      }
    });
    client.connect();
  }

  private expire(client: zookeeper.Client, session: number): void {
    if (this.closed || client !== this.client) return;
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    client.close();
    this.options.onState('expired', session);
    this.start();
  }

  private call<T>(
    run: (client: zookeeper.Client, done: (err: unknown, value?: T) => void) => void,
  ): Promise<T> {
    const client = this.client;
    if (!client || this.closed) return Promise.reject(new Error('ZooKeeper session is closed'));
    return new Promise((resolve, reject) =>
      run(client, (err, value) => (err ? reject(err) : resolve(value as T))),
    );
  }

  /** Children of a node, watched (one shot); undefined when it does not exist (then its creation is watched). */
  async children(path: string, watch: () => void): Promise<string[] | undefined> {
    try {
      return await this.call<string[]>((c, done) =>
        c.getChildren(
          path,
          () => watch(),
          (e, ch) => done(e, ch),
        ),
      );
    } catch (err) {
      if (code(err) !== NO_NODE) throw err;
      const stat = await this.call<unknown>((c, done) =>
        c.exists(
          path,
          () => watch(),
          (e, s) => done(e, s),
        ),
      );
      // Created between the two calls: read it again.
      return stat ? this.children(path, watch) : undefined;
    }
  }

  /** A node's data, watched (one shot); undefined when it does not exist. */
  async data(path: string, watch: () => void): Promise<Buffer | undefined> {
    try {
      return await this.call<Buffer>((c, done) =>
        c.getData(
          path,
          () => watch(),
          (e, d) => done(e, d ?? Buffer.alloc(0)),
        ),
      );
    } catch (err) {
      if (code(err) !== NO_NODE) throw err;
      return undefined;
    }
  }

  /** Creates the persistent parents of `path` as needed. */
  async mkdirs(path: string): Promise<void> {
    await this.call<string>((c, done) => c.mkdirp(path, (e, p) => done(e, p)));
  }

  /** Creates an ephemeral node (its parents persistent); an existing one is replaced. */
  async createEphemeral(path: string, data: Buffer): Promise<void> {
    const parent = path.slice(0, path.lastIndexOf('/'));
    if (parent) await this.mkdirs(parent);
    try {
      await this.call<string>((c, done) =>
        c.create(path, data, zookeeper.CreateMode.EPHEMERAL, (e, p) => done(e, p)),
      );
    } catch (err) {
      if (code(err) !== NODE_EXISTS) throw err;
      await this.remove(path);
      await this.call<string>((c, done) =>
        c.create(path, data, zookeeper.CreateMode.EPHEMERAL, (e, p) => done(e, p)),
      );
    }
  }

  /** Writes a persistent node, creating it (and its parents) if needed. */
  async put(path: string, data: Buffer): Promise<void> {
    await this.mkdirs(path);
    await this.call<unknown>((c, done) => c.setData(path, data, (e, s) => done(e, s)));
  }

  /** Removes a node; a missing one is fine. */
  async remove(path: string): Promise<void> {
    try {
      await this.call<void>((c, done) => c.remove(path, (e) => done(e)));
    } catch (err) {
      if (code(err) !== NO_NODE) throw err;
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.expiryTimer);
    this.client?.close();
    this.client = undefined;
  }
}
