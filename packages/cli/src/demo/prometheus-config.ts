// The prometheus.yml `shoal demo --prometheus` writes: one scrape job whose targets come from the
// control plane's registry over HTTP service discovery (`/api/prometheus/targets`: every Shoal
// process that announced an admin port, with its `__metrics_path__`, and the control plane itself),
// so Prometheus finds each process by itself; and how to run Prometheus on it.

export interface PrometheusConfigOptions {
  /** The control plane's admin API, `host:port`. */
  readonly admin: string;
  /** How often Prometheus scrapes and refreshes the target list (default 5s). */
  readonly interval?: string;
}

export function prometheusConfig(o: PrometheusConfigOptions): string {
  const interval = o.interval ?? '5s';
  return `# Written by \`shoal demo --prometheus\`: Prometheus scrapes every process of the Shoal mesh,
# found through the control plane's HTTP service discovery.
global:
  scrape_interval: ${interval}
  evaluation_interval: ${interval}
scrape_configs:
  - job_name: shoal
    http_sd_configs:
      - url: http://${o.admin}/api/prometheus/targets
        refresh_interval: ${interval}
    relabel_configs:
      - source_labels: [__meta_shoal_app]
        target_label: app
      - source_labels: [__meta_shoal_node_id]
        target_label: node
`;
}

/** What to print after writing the file. */
export function prometheusHowTo(file: string, listen = '127.0.0.1:9090'): string {
  return `wrote ${file}; run Prometheus on it (Debian: apt-get install prometheus):
  prometheus --config.file=${file} --web.listen-address=${listen} --storage.tsdb.path=$(mktemp -d)
then open http://${listen}/graph and try Kiali's graph query:
  sum(rate(istio_requests_total{reporter="source"}[1m])) by (source_workload, destination_service_name, destination_version, response_code)
The console draws its traffic graph from it when the demo runs with --prometheus-url http://${listen}
(shoal cp --prometheus http://${listen}).
Grafana: add Prometheus (http://${listen}) as a data source and import Istio's dashboards;
Kiali: set external_services.prometheus.url to http://${listen}.`;
}
