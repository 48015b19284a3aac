// The admin API's traffic endpoint (ADMIN-API.md): `GET /api/traffic`, and the `traffic` event,
// answer a TrafficReport (a versioned-app graph with rates and latency over a recent window).

import type { TrafficEdge, TrafficNode, TrafficReport } from '../../traffic/traffic-source.js';

export type { TrafficEdge, TrafficNode, TrafficReport };
