// The admin API's observability endpoints (ADMIN-API.md, "Observability"):
//   GET /metrics                    the control plane's own metrics (istiod's pilot_* names), Prometheus text
//   GET /api/prometheus/targets     every Shoal process that announced an admin port, and the control
//                                   plane itself, in Prometheus' http_sd_config format
//   GET /api/load-reports           the mesh's edges from load reports (who calls whom, rate, errors,
//                                   latency, per endpoint); the console's GET /api/traffic is elsewhere
// Prometheus: HTTP service discovery (a JSON list of {targets, labels}; `__metrics_path__` sets the
// path per target).

import type http from 'node:http';
import { PROMETHEUS_PATH } from '@shoal/telemetry';
import { ADMIN_PORT_METADATA_KEY } from '@shoal/telemetry/plugins';
import type { LoadReportView } from '../load-stats/load-report-types.js';
import type { AdsServer } from '../xds-server/ads-server.js';
import type { ProxyNode } from '../xds-server/proxy-node.js';
import { HttpError, sendJson, sendText } from './http-json.js';

export interface ObservabilityOptions {
  ads: AdsServer;
  /** The control plane's metrics, Prometheus text. */
  metrics: () => Promise<string>;
  /** Where the admin API itself listens (a target for Prometheus), once it does. */
  adminAddress: () => { host: string; port: number } | undefined;
  /** The edges from load reports. */
  loadReports?: (windowSeconds: number) => LoadReportView;
}

/** One entry of Prometheus' http_sd_config answer. */
export interface HttpSdTarget {
  targets: string[];
  labels: Record<string, string>;
}

function ipOf(peer: string): string {
  const host = peer.startsWith('[') ? peer.slice(1, peer.indexOf(']')) : peer.slice(0, peer.lastIndexOf(':'));
  return host.startsWith('::ffff:') ? host.slice(7) : host;
}

const hostPort = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

function adminPortOf(node: ProxyNode): number | undefined {
  const v = node.metadata[ADMIN_PORT_METADATA_KEY];
  const port = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : Number.NaN;
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}

/** The scrape targets: processes with an admin port, then the control plane. */
export function prometheusTargets(options: ObservabilityOptions): HttpSdTarget[] {
  const seen = new Set<string>();
  const out: HttpSdTarget[] = [];
  for (const { node, peer } of options.ads.nodes()) {
    const port = adminPortOf(node);
    if (port === undefined) continue;
    const target = hostPort(node.ips[0] ?? ipOf(peer), port);
    if (seen.has(target)) continue;
    seen.add(target);
    const labels: Record<string, string> = {
      __metrics_path__: PROMETHEUS_PATH,
      __meta_shoal_node_id: node.id,
      __meta_shoal_namespace: node.namespace,
    };
    const app = node.metadata.SHOAL_APP ?? node.labels.app;
    if (typeof app === 'string') labels.__meta_shoal_app = app;
    if (node.labels.version) labels.__meta_shoal_version = node.labels.version;
    out.push({ targets: [target], labels });
  }
  const admin = options.adminAddress();
  if (admin) {
    const ip = admin.host === '0.0.0.0' || admin.host === '::' ? '127.0.0.1' : admin.host;
    out.push({
      targets: [hostPort(ip, admin.port)],
      labels: { __metrics_path__: '/metrics', __meta_shoal_app: 'shoal-control-plane' },
    });
  }
  return out;
}

/** Answers an observability request; false when the path is not one of them. */
export async function handleObservability(
  options: ObservabilityOptions,
  route: string,
  url: URL,
  res: http.ServerResponse,
): Promise<boolean> {
  switch (route) {
    case 'GET /metrics': {
      const text = await options.metrics();
      sendText(res, 200, text, 'text/plain; version=0.0.4');
      return true;
    }
    case 'GET /api/prometheus':
      if (url.pathname !== '/api/prometheus/targets') return false;
      sendJson(res, 200, prometheusTargets(options));
      return true;
    case 'GET /api/load-reports': {
      if (!options.loadReports) throw new HttpError(404, 'load reporting is not enabled');
      const text = url.searchParams.get('window') ?? '60';
      const window = Number(text);
      if (!(window > 0 && window <= 3600))
        throw new HttpError(400, `window=${text}: must be a number of seconds in (0, 3600]`);
      sendJson(res, 200, options.loadReports(window));
      return true;
    }
  }
  return false;
}
