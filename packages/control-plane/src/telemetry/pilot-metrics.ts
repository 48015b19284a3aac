// The control plane's own metrics, under istiod's names (pilot/pkg/xds/monitoring.go and friends)
// so Istio's control-plane dashboards and alerts read them unchanged: connected clients
// (pilot_xds by type and version), pushes and their time per xDS type, convergence time, NACKs
// (pilot_total_xds_rejects, and pilot_xds_<type>_reject per rejecting node), config events and
// services. Served at `/metrics` on the admin port.

import type { Counter, Histogram, Meter } from '@opentelemetry/api';
import { PILOT } from '@shoal/telemetry';
import type { ConfigEvent } from '../config/config-store.js';
import type { Registry } from '../registry/registry-types.js';
import type { AdsServer } from '../xds-server/ads-server.js';
import type { ProxyNode } from '../xds-server/proxy-node.js';
import { SHORT_TYPES } from '../xds-server/type-names.js';
import type { XdsServerMetrics } from '../xds-server/xds-server-metrics.js';

/** istiod's `type` label: lds, rds, cds, eds (the type URL itself for others). */
const metricType = (typeUrl: string) => SHORT_TYPES[typeUrl]?.toLowerCase() ?? typeUrl;

/** What kind of client a node is: an Envoy sidecar, a gateway (router), or a proxyless process. */
function proxyType(node: ProxyNode): string {
  const kind = node.id.split('~', 1)[0];
  return kind === 'sidecar' || kind === 'router' ? kind : 'proxyless';
}

function proxyVersion(node: ProxyNode): string {
  const istio = node.metadata.ISTIO_VERSION;
  return typeof istio === 'string' && istio !== '' ? istio : node.userAgent || 'unknown';
}

/** istiod's config event names for the store's change types. */
const EVENTS = { added: 'add', updated: 'update', deleted: 'delete' } as const;

export class PilotMetrics implements XdsServerMetrics {
  /** Pushes per istiod type label, read when collected: thousands are counted per config change. */
  private readonly pushCounts = new Map<string, number>();
  private readonly pushTime: Histogram;
  private readonly convergence: Histogram;
  private readonly rejects: Counter;
  private readonly configEvents: Counter;

  constructor(meter: Meter, ads: () => AdsServer, registry: () => Registry) {
    meter
      .createObservableCounter(PILOT.pushes.name, { description: PILOT.pushes.description })
      .addCallback((result) => {
        for (const [type, n] of this.pushCounts) result.observe(n, { type });
      });
    this.pushTime = meter.createHistogram(PILOT.pushTime.name, {
      description: PILOT.pushTime.description,
      advice: { explicitBucketBoundaries: [...PILOT.pushTime.buckets] },
    });
    this.convergence = meter.createHistogram(PILOT.convergence.name, {
      description: PILOT.convergence.description,
      advice: { explicitBucketBoundaries: [...PILOT.convergence.buckets] },
    });
    this.rejects = meter.createCounter(PILOT.totalRejects.name, {
      description: PILOT.totalRejects.description,
    });
    this.configEvents = meter.createCounter(PILOT.configEvents.name, {
      description: PILOT.configEvents.description,
    });
    meter
      .createObservableGauge(PILOT.xds.name, { description: PILOT.xds.description })
      .addCallback((result) => {
        const counts = new Map<string, { type: string; version: string; n: number }>();
        for (const { node } of ads().nodes()) {
          const type = proxyType(node);
          const version = proxyVersion(node);
          const key = `${type}\u0000${version}`;
          const c = counts.get(key) ?? { type, version, n: 0 };
          c.n++;
          counts.set(key, c);
        }
        for (const c of counts.values()) result.observe(c.n, { type: c.type, version: c.version });
      });
    for (const type of ['cds', 'eds', 'lds', 'rds']) {
      const d = PILOT.reject(type);
      meter.createObservableGauge(d.name, { description: d.description }).addCallback((result) => {
        for (const client of ads().clients()) {
          const t = client.types[type.toUpperCase() as keyof typeof client.types];
          if (t?.state === 'NACKED' && t.lastNack)
            result.observe(1, { node: client.nodeId, err: t.lastNack.message });
        }
      });
    }
    meter
      .createObservableGauge(PILOT.services.name, { description: PILOT.services.description })
      .addCallback((result) => result.observe(registry().services().length));
  }

  pushed(typeUrl: string, seconds: number): void {
    const type = metricType(typeUrl);
    this.pushCounts.set(type, (this.pushCounts.get(type) ?? 0) + 1);
    this.pushTime.record(seconds, { type });
  }

  rejected(typeUrl: string): void {
    this.rejects.add(1, { type: metricType(typeUrl) });
  }

  converged(seconds: number): void {
    this.convergence.record(seconds);
  }

  /** Counts a config store change set (pilot_k8s_cfg_events{type=Kind, event=add|update|delete}). */
  configChanged(event: ConfigEvent): void {
    for (const c of event.changes) this.configEvents.add(1, { type: c.kind, event: EVENTS[c.type] });
  }
}
