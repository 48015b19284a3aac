// The traffic picture (GET /api/traffic, and the `traffic` event): nodes by app and version, edges
// with request rate, error rate and latency over a recent window.

import type { TrafficEdge, TrafficReport } from '@shoal/control-plane/admin-api';
import { get } from './http.js';

export type { TrafficEdge, TrafficNode, TrafficReport } from '@shoal/control-plane/admin-api';

export const edgeId = (source: string, destination: string) => `${source}->${destination}`;

export const fetchTraffic = () => get<TrafficReport>('/api/traffic');

/** Each edge's share of its source's calls to the same app, in % (the split a weight shift makes). */
export function shareOf(report: TrafficReport, edge: TrafficEdge): number {
  const app = report.nodes.find((n) => n.id === edge.destination)?.app;
  const siblings = report.edges.filter(
    (e) => e.source === edge.source && report.nodes.find((n) => n.id === e.destination)?.app === app,
  );
  const total = siblings.reduce((sum, e) => sum + e.requestsPerSecond, 0);
  return total > 0 ? (100 * edge.requestsPerSecond) / total : 0;
}
