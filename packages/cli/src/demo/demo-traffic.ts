// The demo's traffic picture for the control plane's admin API and the console's graph: the
// consumer's own calls (TrafficStats), as edges from the consumer to each greeter version. It
// stands where load reports (LRS) will feed the control plane, in the same TrafficReport shape.

import type { TrafficReport, TrafficSource } from '@shoal/control-plane/plugins';
import type { TrafficStats } from './traffic-stats.js';

export function demoTraffic(stats: TrafficStats, consumer: string, app: string): TrafficSource {
  return {
    report(): TrafficReport {
      const rows = stats.by('version');
      const all = rows.pop();
      const windowSeconds = stats.windowMs / 1000;
      const versions = rows.filter((r) => r.callsPerSecond > 0);
      // Calls that reached no known version (no route, no endpoint) end at the app itself.
      const node = (group: string) => (group === 'unknown' || group === 'failed' ? app : `${app}:${group}`);
      return {
        source: 'demo',
        windowSeconds,
        at: new Date().toISOString(),
        nodes: [
          { id: consumer, app: consumer, namespace: 'default', kind: 'workload' },
          ...versions.map((r) => ({
            id: node(r.group),
            app,
            ...(node(r.group) === app ? {} : { version: r.group }),
            namespace: 'default',
            kind: 'service' as const,
          })),
        ],
        edges: versions.map((r) => ({
          source: consumer,
          destination: node(r.group),
          requestsPerSecond: r.callsPerSecond,
          errorsPerSecond: r.errors / windowSeconds,
          errorRate: r.errors / (r.callsPerSecond * windowSeconds),
          p50Ms: r.p50,
          p99Ms: r.p99,
        })),
        totals: {
          requestsPerSecond: all?.callsPerSecond ?? 0,
          errorRate: all && all.callsPerSecond > 0 ? all.errors / (all.callsPerSecond * windowSeconds) : 0,
          ...(all ? { p99Ms: all.p99 } : {}),
        },
      };
    },
  };
}
