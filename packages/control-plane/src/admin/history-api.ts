// Admin API for the config history: the versions kept, what one version changed (with diffs), and a
// one-click rollback to any kept version. Documented in ../../ADMIN-API.md ("Config history").

import type { ConfigHistory } from '../config/config-history.js';
import type { ConfigStore } from '../config/config-store.js';
import type { HistoryEntryAnswer, HistoryListAnswer, RollbackAnswer } from './api/history.js';
import { changeDiff, changeSummary } from './config-diff.js';
import { HttpError } from './http-json.js';

export function historyList(history: ConfigHistory, store: ConfigStore): HistoryListAnswer {
  const items = history.entries().map((e) => ({
    version: e.version,
    at: e.at,
    ...(e.source !== undefined ? { source: e.source } : {}),
    changes: e.changes.map(changeSummary),
    canRollBack: e.version < store.version && history.rollbackPlan(e.version) !== undefined,
  }));
  return { current: store.version, items };
}

export function historyEntry(history: ConfigHistory, versionText: string): HistoryEntryAnswer {
  const version = parseVersion(versionText);
  const entry = history.get(version);
  if (!entry)
    throw new HttpError(404, `version ${version} is not in the history (it keeps the latest versions only)`);
  return {
    version: entry.version,
    at: entry.at,
    ...(entry.source !== undefined ? { source: entry.source } : {}),
    changes: entry.changes.map(changeDiff),
  };
}

/** Restores the store to its state right after `version`: one apply, then the deletes. */
export async function rollback(
  history: ConfigHistory,
  store: ConfigStore,
  versionText: string,
): Promise<RollbackAnswer> {
  const version = parseVersion(versionText);
  const plan = history.rollbackPlan(version);
  if (!plan) {
    throw new HttpError(
      409,
      `cannot roll back to version ${version}: the history no longer holds every change since (current version ${store.version})`,
    );
  }
  const source = `rollback to version ${version}`;
  const applied = plan.restore.length > 0 ? await store.apply(plan.restore, { source }) : undefined;
  const changes = [...(applied?.changes ?? [])];
  for (const r of plan.remove) {
    const previous = store.get(r.kind, r.namespace, r.name);
    if (previous && (await store.delete(r.kind, r.namespace, r.name, { source }))) {
      changes.push({ type: 'deleted', ...r, previous });
    }
  }
  return { rolledBackTo: version, version: store.version, changes: changes.map(changeDiff) };
}

function parseVersion(text: string): number {
  const version = Number(text);
  if (!Number.isInteger(version) || version < 0)
    throw new HttpError(400, `"${text}" is not a config version`);
  return version;
}
