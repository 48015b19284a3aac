// The config history: versions with what each changed, diffs, and rollback to a kept version.

import type { HistoryEntryAnswer, HistoryListAnswer, RollbackAnswer } from '@shoal/control-plane/admin-api';
import { get, request } from './http.js';

export type { HistoryItem } from '@shoal/control-plane/admin-api';

export const listHistory = () => get<HistoryListAnswer>('/api/history');

export const historyEntry = (version: number) => get<HistoryEntryAnswer>(`/api/history/${version}`);

export const rollback = (version: number) =>
  request<RollbackAnswer>('POST', `/api/history/${version}/rollback`);
