// The history of the config store: every applied change, with the objects before and after, so
// the console can show what each version changed and roll back to any version still kept.
// Istio keeps no history of its own (Kubernetes keeps only the latest object); this is Dubbo
// Admin's rule history and Kiali's "diff before apply", held in memory for a bounded number of
// versions.

import type { AnyConfigObject, ConfigKind } from './config-object.js';
import { objectKey } from './config-object.js';
import type { ConfigChange, ConfigEvent, ConfigStore } from './config-store.js';

export interface HistoryEntry {
  version: number;
  /** When the change was applied (ISO 8601). */
  at: string;
  source?: string;
  changes: readonly ConfigChange[];
}

export interface RollbackPlan {
  /** The version whose state the plan restores. */
  version: number;
  /** Objects to apply as they were at that version. */
  restore: AnyConfigObject[];
  /** Objects added since, to delete. */
  remove: { kind: ConfigKind; namespace: string; name: string }[];
}

export interface ConfigHistoryOptions {
  /** Versions kept (default 200); older ones are dropped, and cannot be rolled back to. */
  limit?: number;
  now?: () => Date;
}

export class ConfigHistory {
  private readonly store: ConfigStore;
  private readonly limit: number;
  private readonly now: () => Date;
  private readonly entriesValue: HistoryEntry[] = [];
  private unsubscribe: (() => void) | undefined;

  constructor(store: ConfigStore, options: ConfigHistoryOptions = {}) {
    this.store = store;
    this.limit = options.limit ?? 200;
    this.now = options.now ?? (() => new Date());
  }

  /** Starts recording; changes made before are not in the history. */
  start(): void {
    this.unsubscribe ??= this.store.subscribe((e) => this.record(e));
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Newest first. */
  entries(): readonly HistoryEntry[] {
    return [...this.entriesValue].reverse();
  }

  get(version: number): HistoryEntry | undefined {
    return this.entriesValue.find((e) => e.version === version);
  }

  /**
   * What makes the store equal to its state right after `version`: undefined when versions after
   * it are no longer kept (or it is in the future). Rolling back to the current version is empty.
   */
  rollbackPlan(version: number): RollbackPlan | undefined {
    const current = this.store.version;
    if (!Number.isInteger(version) || version < 0 || version > current) return undefined;
    const later = this.entriesValue.filter((e) => e.version > version);
    const oldest = later[0]?.version;
    if (version < current && oldest !== version + 1) return undefined;
    // The first change of each object after `version` holds the object as it was at `version`.
    const before = new Map<string, AnyConfigObject | undefined>();
    for (const entry of later) {
      for (const c of entry.changes) {
        const key = objectKey(c.kind, c.namespace, c.name);
        if (!before.has(key)) before.set(key, c.previous);
      }
    }
    const plan: RollbackPlan = { version, restore: [], remove: [] };
    for (const [key, was] of before) {
      const [kind, namespace, name] = key.split('/') as [ConfigKind, string, string];
      const now = this.store.get(kind, namespace, name);
      if (was === undefined) {
        if (now) plan.remove.push({ kind, namespace, name });
      } else plan.restore.push(userFields(was));
    }
    return plan;
  }

  private record(event: ConfigEvent): void {
    this.entriesValue.push({
      version: event.version,
      at: this.now().toISOString(),
      ...(event.source !== undefined ? { source: event.source } : {}),
      changes: event.changes,
    });
    if (this.entriesValue.length > this.limit)
      this.entriesValue.splice(0, this.entriesValue.length - this.limit);
  }
}

/** The object as a user writes it: without the fields the store sets (resourceVersion, ...). */
export function userFields(o: AnyConfigObject): AnyConfigObject {
  const { resourceVersion: _v, generation: _g, creationTimestamp: _c, ...metadata } = o.metadata;
  return { ...o, metadata } as AnyConfigObject;
}
