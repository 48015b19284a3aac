// What is wrong with the live mesh: config errors and warnings, and NACKs from clients.

import type { Issue } from './config.js';
import { get } from './http.js';

export interface Nack {
  nodeId: string;
  type: string;
  version: string;
  message: string;
  at: string;
}

export const fetchAnalysis = () =>
  get<{ errors: Issue[]; warnings: Issue[]; nacks: Nack[] }>('/api/analysis');
