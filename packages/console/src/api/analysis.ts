// What is wrong with the live mesh: config errors and warnings, and NACKs from clients.

import type { AnalysisAnswer } from '@shoal/control-plane/admin-api';
import { get } from './http.js';

export type { NackReport as Nack } from '@shoal/control-plane/admin-api';

export const fetchAnalysis = () => get<AnalysisAnswer>('/api/analysis');
