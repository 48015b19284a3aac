// gRPC xDS interop client: LoadBalancerStatsService.GetClientStats. A request watches the next
// num_rpcs calls the client starts and answers once all of them have ended, or at timeout_sec
// with what it has; calls still unfinished then count as failures, so that
// sum(rpcs_by_peer) + num_failures = num_rpcs, as in gRPC's clients.

import type { MessageInitShape } from '@bufbuild/protobuf';
import type { Metadata } from '@shoal/rpc';
import {
  type LoadBalancerStatsResponse_MetadataEntry,
  type LoadBalancerStatsResponseSchema,
  LoadBalancerStatsResponse_MetadataType as MetadataType,
} from '../gen/grpc/testing/messages_pb.js';
import type { RpcType } from './client-config.js';

type StatsResponseInit = MessageInitShape<typeof LoadBalancerStatsResponseSchema>;
type MetadataEntryInit = Pick<LoadBalancerStatsResponse_MetadataEntry, 'key' | 'value' | 'type'>;

/** How one call ended, as the watchers record it. */
export interface CallOutcome {
  readonly type: RpcType;
  /** The backend's hostname; undefined when the call failed. */
  readonly peer: string | undefined;
  readonly header?: Metadata | undefined;
  readonly trailer?: Metadata | undefined;
}

/** One GetClientStats request in progress. */
export class StatsWatcher {
  private remaining: number;
  private ended = 0;
  private failures = 0;
  private readonly byPeer = new Map<string, number>();
  private readonly byMethod = new Map<RpcType, Map<string, number>>();
  private readonly metadataByPeer = new Map<string, MetadataEntryInit[][]>();
  private readonly keys: ReadonlySet<string>;
  private done: (() => void) | undefined;
  readonly finished: Promise<void>;

  constructor(
    readonly numRpcs: number,
    metadataKeys: readonly string[],
  ) {
    this.remaining = numRpcs;
    this.keys = new Set(metadataKeys.map((k) => k.toLowerCase()));
    this.finished = new Promise((resolve) => (this.done = resolve));
    if (numRpcs <= 0) this.done?.();
  }

  /** Takes one more call, if this watcher still wants one. */
  claim(): boolean {
    if (this.remaining <= 0) return false;
    this.remaining--;
    return true;
  }

  record(outcome: CallOutcome): void {
    this.ended++;
    if (outcome.peer === undefined) this.failures++;
    else {
      this.byPeer.set(outcome.peer, (this.byPeer.get(outcome.peer) ?? 0) + 1);
      const perMethod = this.byMethod.get(outcome.type) ?? new Map<string, number>();
      perMethod.set(outcome.peer, (perMethod.get(outcome.peer) ?? 0) + 1);
      this.byMethod.set(outcome.type, perMethod);
      if (this.keys.size > 0) {
        const entries = [
          ...this.pick(outcome.header, MetadataType.INITIAL),
          ...this.pick(outcome.trailer, MetadataType.TRAILING),
        ];
        const list = this.metadataByPeer.get(outcome.peer) ?? [];
        list.push(entries);
        this.metadataByPeer.set(outcome.peer, list);
      }
    }
    if (this.ended >= this.numRpcs) this.done?.();
  }

  private pick(md: Metadata | undefined, type: MetadataType): MetadataEntryInit[] {
    if (!md) return [];
    const out: MetadataEntryInit[] = [];
    for (const [key, values] of md.entries()) {
      if (!this.keys.has('*') && !this.keys.has(key)) continue;
      for (const value of values) {
        out.push({
          key,
          value: typeof value === 'string' ? value : Buffer.from(value).toString('base64'),
          type,
        });
      }
    }
    return out;
  }

  /** The response as it stands; calls not ended yet count as failures. */
  response(): StatsResponseInit {
    return {
      rpcsByPeer: Object.fromEntries(this.byPeer),
      numFailures: this.failures + (this.numRpcs - this.ended),
      rpcsByMethod: Object.fromEntries(
        [...this.byMethod].map(([method, peers]) => [method, { rpcsByPeer: Object.fromEntries(peers) }]),
      ),
      metadatasByPeer: Object.fromEntries(
        [...this.metadataByPeer].map(([peer, rpcs]) => [
          peer,
          { rpcMetadata: rpcs.map((metadata) => ({ metadata })) },
        ]),
      ),
    };
  }
}

/** The watchers of one client. */
export class StatsWatchers {
  private readonly active = new Set<StatsWatcher>();

  /** Called as a call starts: the watchers that will see how it ends. */
  claim(): StatsWatcher[] {
    const claimed: StatsWatcher[] = [];
    for (const watcher of this.active) if (watcher.claim()) claimed.push(watcher);
    return claimed;
  }

  /** Watches the next numRpcs calls; resolves when they have ended, at timeoutMs, or on abort. */
  async watch(
    numRpcs: number,
    timeoutMs: number,
    metadataKeys: readonly string[],
    signal?: AbortSignal,
  ): Promise<StatsResponseInit> {
    const watcher = new StatsWatcher(numRpcs, metadataKeys);
    this.active.add(watcher);
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      await Promise.race([
        watcher.finished,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, Math.max(0, timeoutMs));
          onAbort = resolve;
          signal?.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      this.active.delete(watcher);
    }
    return watcher.response();
  }
}
