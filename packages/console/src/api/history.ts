// The config history: versions with what each changed, diffs, and rollback to a kept version.

import type { ObjectDiff } from './config.js';
import { get, request } from './http.js';

export interface HistoryItem {
  version: number;
  at: string;
  source?: string;
  changes: { type: string; kind: string; namespace: string; name: string }[];
  canRollBack: boolean;
}

export const listHistory = () => get<{ current: number; items: HistoryItem[] }>('/api/history');

export const historyEntry = (version: number) =>
  get<{ version: number; at: string; source?: string; changes: ObjectDiff[] }>(`/api/history/${version}`);

export const rollback = (version: number) =>
  request<{ rolledBackTo: number; version: number; changes: ObjectDiff[] }>(
    'POST',
    `/api/history/${version}/rollback`,
  );
