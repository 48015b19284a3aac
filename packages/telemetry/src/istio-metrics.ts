// Istio's standard metrics (istio_requests_total, istio_request_duration_milliseconds,
// istio_request_bytes, istio_response_bytes) as a proxyless process reports them itself: the
// client as reporter="source", the server as reporter="destination", with the full standard label
// set filled the way istio/proxy's istio_stats filter fills it (istio_stats.cc populatePeerInfo):
// the local side from this workload's node, the peer side from metadata exchange, `unknown` for
// what is not known and `latest` for a missing canonical revision. Buckets are Envoy's defaults.

import type { Attributes, Meter } from '@opentelemetry/api';
import type { Code } from '@shoal/rpc/client';
import type { HistogramScope } from './grpc-metrics.js';
import { ENVOY_DEFAULT_BUCKETS, ISTIO, type IstioLabel } from './instrument-names.js';
import type { PeerWorkload } from './peer-metadata.js';
import { CallHistograms } from './series-histogram.js';
import { type SeriesTable, Tally } from './series-table.js';
import type { WorkloadIdentity } from './workload-identity.js';

type Labels = Record<IstioLabel, string>;

/** The destination service of a client call: host and short name. */
export interface DestinationService {
  readonly host: string;
  readonly name: string;
}

/** What one finished call reports, besides the two workloads. */
export interface CallOutcome {
  readonly code: Code;
  /** Whether response headers arrived: response_code is 200 then, else 0 (no response), as in Envoy. */
  readonly responded: boolean;
  /** Envoy's response flags (`-` when none, `UH` no healthy upstream, `UO` overflow, `FI` fault abort …). */
  readonly flags: string;
}

const or = (value: string, fallback: string) => (value === '' ? fallback : value);

/**
 * The destination service: the host of an istiod-style cluster name
 * (`outbound|50051|v1|greeter.default.svc.cluster.local`), else the host the target dials
 * (`xds:///greeter:50051`, `dns:///10.0.0.1:50051`, an interface name). The short name is the
 * host's first label, or the whole host when it is an IP address.
 */
export function serviceFromCluster(cluster: string | undefined, target: string): DestinationService {
  const parts = cluster?.split('|');
  const host =
    parts?.length === 4 && parts[3]
      ? parts[3]
      : target
          .replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*\//i, '')
          .replace(/:\d+$/, '')
          .replace(/^\[|\]$/g, '');
  const ip = /^[\d.]+$/.test(host) || host.includes(':');
  return { host, name: ip ? host : (host.split('.', 1)[0] ?? host) };
}

/** The labels a client reports for a call (reporter="source"). */
export function sourceReport(
  local: WorkloadIdentity,
  peer: PeerWorkload | undefined,
  service: DestinationService,
  outcome: CallOutcome,
): Labels {
  return {
    reporter: 'source',
    source_workload: or(local.workload, 'unknown'),
    source_workload_namespace: or(local.namespace, 'unknown'),
    source_principal: 'unknown',
    source_app: or(local.app, 'unknown'),
    source_version: or(local.version, 'unknown'),
    source_canonical_service: or(local.canonicalService, 'unknown'),
    source_canonical_revision: or(local.canonicalRevision, 'latest'),
    source_cluster: or(local.cluster, 'unknown'),
    destination_workload: or(peer?.workload ?? '', 'unknown'),
    destination_workload_namespace: or(peer?.namespace ?? '', 'unknown'),
    destination_principal: 'unknown',
    destination_app: or(peer?.app ?? '', 'unknown'),
    destination_version: or(peer?.version ?? '', 'unknown'),
    destination_service: or(service.host, 'unknown'),
    destination_service_name: or(service.name, 'unknown'),
    destination_service_namespace: or(peer?.namespace ?? '', 'unknown'),
    destination_canonical_service: or(peer?.canonicalService ?? '', 'unknown'),
    destination_canonical_revision: or(peer?.canonicalRevision ?? '', 'latest'),
    destination_cluster: or(peer?.cluster ?? '', 'unknown'),
    request_protocol: 'grpc',
    response_code: outcome.responded ? '200' : '0',
    grpc_response_status: String(outcome.code),
    response_flags: outcome.flags,
    connection_security_policy: 'unknown',
  };
}

/** What a server knows of the caller's connection. */
export interface CallerConnection {
  /** The caller's certificate identity (SPIFFE ID), when the connection is mTLS. */
  readonly principal: string | undefined;
}

/** The labels a server reports for a call (reporter="destination"). */
export function destinationReport(
  local: WorkloadIdentity,
  peer: PeerWorkload | undefined,
  connection: CallerConnection,
  outcome: CallOutcome,
): Labels {
  const host = local.serviceHost;
  return {
    reporter: 'destination',
    source_workload: or(peer?.workload ?? '', 'unknown'),
    source_workload_namespace: or(peer?.namespace ?? '', 'unknown'),
    source_principal: connection.principal ?? 'unknown',
    source_app: or(peer?.app ?? '', 'unknown'),
    source_version: or(peer?.version ?? '', 'unknown'),
    source_canonical_service: or(peer?.canonicalService ?? '', 'unknown'),
    source_canonical_revision: or(peer?.canonicalRevision ?? '', 'latest'),
    source_cluster: or(peer?.cluster ?? '', 'unknown'),
    destination_workload: or(local.workload, 'unknown'),
    destination_workload_namespace: or(local.namespace, 'unknown'),
    destination_principal: 'unknown',
    destination_app: or(local.app, 'unknown'),
    destination_version: or(local.version, 'unknown'),
    destination_service: or(host, 'unknown'),
    destination_service_name: or(local.app || host.split('.', 1)[0] || '', 'unknown'),
    destination_service_namespace: or(local.namespace, 'unknown'),
    destination_canonical_service: or(local.canonicalService, 'unknown'),
    destination_canonical_revision: or(local.canonicalRevision, 'latest'),
    destination_cluster: or(local.cluster, 'unknown'),
    request_protocol: 'grpc',
    response_code: '200',
    grpc_response_status: String(outcome.code),
    response_flags: outcome.flags,
    connection_security_policy: connection.principal === undefined ? 'none' : 'mutual_tls',
  };
}

/** The four instruments, recorded together per call. */
export class IstioInstruments {
  private readonly requests: Tally;
  private readonly histograms: CallHistograms;

  constructor(
    meter: Meter,
    scope: HistogramScope,
    readonly table: SeriesTable,
  ) {
    const histogram = (d: { name: string; description: string }) =>
      scope.histograms.histogram(scope.name, scope.version, d, ENVOY_DEFAULT_BUCKETS);
    this.requests = new Tally(meter, ISTIO.requestsTotal);
    this.histograms = new CallHistograms(
      histogram(ISTIO.requestDuration),
      histogram(ISTIO.requestBytes),
      histogram(ISTIO.responseBytes),
    );
  }

  /** Records one call under an interned label set (see SeriesTable). */
  record(series: Attributes, durationMs: number, requestBytes: number, responseBytes: number): void {
    this.requests.add(series);
    this.histograms.record(series, durationMs, requestBytes, responseBytes);
  }
}

/**
 * A client's reporter="source" label sets, found per call by peer object, cluster string and
 * status without building a key string (the table's key is built once per new label set).
 */
export class SourceSeries {
  private readonly byPeer = new Map<PeerWorkload | undefined, Map<string, Attributes[]>>();

  constructor(
    private readonly table: SeriesTable,
    private readonly peerIds: PeerIds,
    private readonly local: WorkloadIdentity,
    private readonly target: string,
  ) {}

  get(
    peer: PeerWorkload | undefined,
    cluster: string | undefined,
    code: Code,
    responded: boolean,
  ): Attributes {
    let byCluster = this.byPeer.get(peer);
    if (byCluster === undefined) this.byPeer.set(peer, (byCluster = new Map()));
    const c = cluster ?? '';
    let byOutcome = byCluster.get(c);
    if (byOutcome === undefined) byCluster.set(c, (byOutcome = []));
    const i = code * 2 + (responded ? 1 : 0);
    let series = byOutcome[i];
    if (series === undefined) {
      const key = `src|${this.local.nodeId}|${this.target}|${this.peerIds.of(peer)}|${c}|${code}|${responded}`;
      series = this.table.series(key, () =>
        sourceReport(this.local, peer, serviceFromCluster(cluster, this.target), {
          code,
          responded,
          flags: '-',
        }),
      );
      byOutcome[i] = series;
    }
    return series;
  }
}

/** Small ids for peers, so a label set's key stays short. */
export class PeerIds {
  private readonly ids = new WeakMap<PeerWorkload, string>();
  private next = 0;

  of(peer: PeerWorkload | undefined): string {
    if (peer === undefined) return '-';
    let id = this.ids.get(peer);
    if (id === undefined) this.ids.set(peer, (id = String(this.next++)));
    return id;
  }
}
