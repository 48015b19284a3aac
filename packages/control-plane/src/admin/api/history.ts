// The admin API's config history endpoints (ADMIN-API.md, "Config history"): the versions kept,
// what one changed, and a rollback to one of them.

import type { AppliedChange, ObjectDiff } from './config.js';

/** One kept version, as the history list shows it. */
export interface HistoryItem {
  version: number;
  /** When it was made (ISO 8601). */
  at: string;
  source?: string;
  changes: AppliedChange[];
  /** Whether a rollback to it is possible (every change since is still kept). */
  canRollBack: boolean;
}

/** `GET /api/history`: 200. */
export interface HistoryListAnswer {
  current: number;
  items: HistoryItem[];
}

/** `GET /api/history/VERSION`: 200 (404 when the version is no longer kept). */
export interface HistoryEntryAnswer {
  version: number;
  at: string;
  source?: string;
  changes: ObjectDiff[];
}

/** `POST /api/history/VERSION/rollback`: 200 (409 when it is no longer possible). */
export interface RollbackAnswer {
  rolledBackTo: number;
  /** The store's version after the rollback. */
  version: number;
  changes: ObjectDiff[];
}
