// xDS server fallback (gRFC A71): the servers of a bootstrap list (or of an authority) in priority
// order, presented to the cache as one stream. Only the primary runs at first. When the stream in
// use fails without a response while some watched resource has no cached value, the next server is
// tried too; whenever a higher-priority server answers, the lower ones are closed and it serves again.
import type { XdsServerConfig } from '../bootstrap.js';
import type { XdsLogger } from './log.js';
import type { XdsStream } from './reconnecting-stream.js';

/** One server's stream inside the group, and how to release its transport. */
export interface InnerStream {
  readonly stream: XdsStream;
  dispose(): void;
}

/** What an inner stream tells its group, wired by the client around its stream events. */
export interface FallbackHooks {
  /** Inner stream `index` received a response (called before the response is applied). */
  responded(index: number): void;
  /** Inner stream `index` ended; returns whether watchers should hear of it. */
  closed(index: number, hadResponse: boolean): boolean;
}

export class FallbackStream implements XdsStream, FallbackHooks {
  private readonly subscriptions = new Map<string, Set<string>>();
  private readonly started: (InnerStream | undefined)[] = [];
  /** The stream whose responses are being applied (for labels and server features). */
  private source = 0;

  constructor(
    private readonly servers: readonly XdsServerConfig[],
    private readonly open: (server: XdsServerConfig, index: number) => InnerStream,
    private readonly needsFallback: () => boolean,
    private readonly log: XdsLogger,
  ) {}

  get server(): XdsServerConfig {
    return this.servers[this.source]!;
  }

  get label(): string {
    return `xDS server ${this.server.serverUri}`;
  }

  names(typeUrl: string): readonly string[] {
    return [...(this.subscriptions.get(typeUrl) ?? [])];
  }

  subscribe(typeUrl: string, name: string): void {
    let names = this.subscriptions.get(typeUrl);
    if (!names) this.subscriptions.set(typeUrl, (names = new Set()));
    if (names.has(name)) return;
    names.add(name);
    if (!this.started[0]) this.start(0);
    else for (const inner of this.started) inner?.stream.subscribe(typeUrl, name);
  }

  unsubscribe(typeUrl: string, name: string): void {
    if (!this.subscriptions.get(typeUrl)?.delete(name)) return;
    for (const inner of this.started) inner?.stream.unsubscribe(typeUrl, name);
  }

  /** Each inner stream hears of its own connection from its own transport. */
  connectionUp(): void {}

  responded(index: number): void {
    this.source = index;
    for (let k = index + 1; k < this.started.length; k++) {
      const inner = this.started[k];
      if (!inner) continue;
      this.started[k] = undefined;
      this.log(
        'info',
        `xDS server ${this.servers[index]?.serverUri} is back: leaving fallback ${this.servers[k]?.serverUri}`,
      );
      void inner.stream.close().then(() => inner.dispose());
    }
  }

  closed(index: number, hadResponse: boolean): boolean {
    if (index !== this.highest()) return false; // a higher-priority server retrying while a fallback serves
    const next = this.servers[index + 1];
    if (!hadResponse && next && this.needsFallback()) {
      this.log(
        'warn',
        `xDS server ${this.servers[index]?.serverUri} unreachable: falling back to ${next.serverUri}`,
      );
      this.start(index + 1);
    }
    return true;
  }

  async close(): Promise<void> {
    const all = this.started.splice(0);
    await Promise.all(
      all.map(async (inner) => {
        if (!inner) return;
        await inner.stream.close();
        inner.dispose();
      }),
    );
  }

  /** The lowest-priority server started: the one being relied on. */
  private highest(): number {
    for (let i = this.started.length - 1; i >= 0; i--) if (this.started[i]) return i;
    return -1;
  }

  private start(index: number): void {
    const inner = this.open(this.servers[index]!, index);
    this.started[index] = inner;
    for (const [typeUrl, names] of this.subscriptions)
      for (const name of names) inner.stream.subscribe(typeUrl, name);
  }
}
