// A process's telemetry: its own OpenTelemetry MeterProvider (never the global one, as gRFC A66
// asks) with a pull reader for Prometheus, a tracer provider when traces are configured, and the
// pieces the rpc, xds and mesh layers plug in: client interceptors, server call tracers, XdsClient
// and mesh hooks. Nothing is registered globally and nothing happens at import time.

import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { DataPointType, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import type { XdsBootstrap } from '@shoal/xds/client';
import type { XdsClientMetrics } from '@shoal/xds/plugins';
import { ADMIN_PORT_METADATA_KEY, AdminEndpoint, adminPortFromEnv } from './admin-endpoint.js';
import { ClientTelemetry } from './client-telemetry.js';
import { GrpcClientInstruments, GrpcServerInstruments } from './grpc-metrics.js';
import { IstioInstruments, PeerIds } from './istio-metrics.js';
import { MeshInstruments, type MeshMetrics } from './mesh-metrics.js';
import { PeerMetadataCache } from './peer-metadata.js';
import { SeriesHistograms } from './series-histogram.js';
import { expandSeries, SeriesTable } from './series-table.js';
import { type PrincipalOf, ServerTelemetry } from './server-telemetry.js';
import { Tracing } from './tracing.js';
import { type NodeLike, type WorkloadIdentity, workloadFromNode } from './workload-identity.js';
import { XdsClientInstruments } from './xds-client-metrics.js';

const VERSION = '0.1.0';

/** Who the process is (its xDS node), where metrics are served and traces sent. */
export interface TelemetryOptions {
  /** This process's xDS node (its bootstrap's `node`): its identity in Istio's labels. */
  readonly node?: NodeLike;
  /** OpenTelemetry's service.name for spans; default OTEL_SERVICE_NAME, else the canonical service. */
  readonly serviceName?: string;
  /**
   * The admin port serving `/stats/prometheus` (0 picks one); default SHOAL_ADMIN_PORT, else none.
   * `listen()` opens it.
   */
  readonly adminPort?: number;
  /** Where the admin port listens. Default 0.0.0.0 (Prometheus scrapes the process's IP). */
  readonly adminHost?: string;
  /**
   * Where spans go. Default: OTLP/HTTP (protobuf) to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or
   * OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`; with neither set (or OTEL_TRACES_EXPORTER=none)
   * tracing is off: no spans, no trace headers.
   */
  readonly spanExporter?: SpanExporter;
  /** `batch` (default) or `simple` (each span exported as it ends). */
  readonly spanProcessor?: 'batch' | 'simple';
  /** The environment read for the defaults above (default process.env). */
  readonly env?: Record<string, string | undefined>;
  /**
   * Whether counters get Prometheus' `_total` suffix (default true). istiod's metrics have none
   * (`pilot_xds_pushes`): the control plane turns it off to keep istiod's names.
   */
  readonly counterSuffixes?: boolean;
}

/** Counter names the serializer will suffix with `_total` (as Prometheus names: dots are underscores). */
function suffixedCounters(metrics: ResourceMetrics): string[] {
  const names: string[] = [];
  for (const scope of metrics.scopeMetrics)
    for (const m of scope.metrics) {
      const name = m.descriptor.name.replace(/[^a-z0-9_]/gi, '_');
      if (m.dataPointType === DataPointType.SUM && m.isMonotonic && !name.endsWith('_total'))
        names.push(name);
    }
  return names;
}

/** Takes the `_total` suffix off these counters' sample, HELP and TYPE lines. */
function withoutCounterSuffixes(text: string, names: readonly string[]): string {
  if (names.length === 0) return text;
  const pattern = new RegExp(`^((?:# (?:HELP|TYPE|UNIT) )?(?:${names.join('|')}))_total(?=[{ ])`, 'gm');
  return text.replace(pattern, '$1');
}

/** The OTLP/HTTP traces URL the standard variables name, if any. */
export function otlpTracesUrl(env: Record<string, string | undefined>): string | undefined {
  if (env.OTEL_TRACES_EXPORTER === 'none') return undefined;
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}

/** A pull reader: collects when Prometheus scrapes (the SDK's instruments and the series histograms). */
class ScrapeReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * A process's telemetry: its MeterProvider, tracer and Prometheus endpoint, and the hooks that plug into
 * clients, servers and the xDS client.
 */
export class Telemetry {
  readonly meterProvider: MeterProvider;
  readonly series = new SeriesTable();
  /** Traces, when configured. */
  readonly tracing: Tracing | undefined;
  readonly workload: WorkloadIdentity;
  /** The per-call histograms, collected with the SDK's instruments (series-histogram.ts). */
  private readonly histograms = new SeriesHistograms();
  private readonly reader = new ScrapeReader({ metricProducers: [this.histograms] });
  private readonly serializer = new PrometheusSerializer(undefined, false, undefined, true, true);
  private readonly tracerProvider: TracerProvider | undefined;
  private readonly options: TelemetryOptions;
  private readonly peers = new PeerMetadataCache();
  private readonly peerIds = new PeerIds();
  private grpcClient: GrpcClientInstruments | undefined;
  private grpcServer: GrpcServerInstruments | undefined;
  private istio: IstioInstruments | undefined;
  private xds: XdsClientInstruments | undefined;
  private mesh: MeshInstruments | undefined;
  private admin: AdminEndpoint | undefined;

  constructor(options: TelemetryOptions = {}) {
    this.options = options;
    const env = options.env ?? process.env;
    this.workload = workloadFromNode(options.node ?? { id: `shoal-${process.pid}` });
    this.meterProvider = new MeterProvider({ readers: [this.reader] });
    const url = otlpTracesUrl(env);
    const exporter = options.spanExporter ?? (url === undefined ? undefined : new OTLPTraceExporter({ url }));
    if (exporter !== undefined) {
      const processor: SpanProcessor =
        options.spanProcessor === 'simple'
          ? new SimpleSpanProcessor({ exporter })
          : new BatchSpanProcessor({ exporter });
      this.tracerProvider = new TracerProvider({
        resource: resourceFromAttributes({
          'service.name':
            options.serviceName ?? env.OTEL_SERVICE_NAME ?? (this.workload.canonicalService || 'shoal'),
          'service.namespace': this.workload.namespace,
        }),
        sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
        spanProcessors: [processor],
      });
      this.tracing = new Tracing(this.tracerProvider.getTracer('shoal', VERSION));
    }
  }

  private get meter() {
    return this.meterProvider.getMeter('shoal', VERSION);
  }

  /**
   * Who a process with this xDS node is in Istio's labels (the mesh names a client's own node
   * through this, so a calling-only process need not load the plug-in entry for it).
   */
  workloadOf(node: NodeLike): WorkloadIdentity {
    return workloadFromNode(node);
  }

  /** Telemetry for the calls of one client to `target` (A66's grpc.target), as `workload`. */
  client(target: string, workload: WorkloadIdentity = this.workload): ClientTelemetry {
    this.grpcClient ??= new GrpcClientInstruments(this.meter, this.histogramScope('shoal'));
    return new ClientTelemetry(
      {
        grpc: this.grpcClient,
        istio: this.istioInstruments(),
        peers: this.peers,
        peerIds: this.peerIds,
        tracing: this.tracing,
      },
      target,
      workload,
    );
  }

  /** Telemetry for a server, as `workload`; `principalOf` reads a caller's mTLS identity. */
  server(workload: WorkloadIdentity = this.workload, principalOf?: PrincipalOf): ServerTelemetry {
    this.grpcServer ??= new GrpcServerInstruments(this.meter, this.histogramScope('shoal'));
    return new ServerTelemetry(
      {
        grpc: this.grpcServer,
        istio: this.istioInstruments(),
        peers: this.peers,
        peerIds: this.peerIds,
        tracing: this.tracing,
      },
      workload,
      principalOf,
    );
  }

  /** gRFC A78 hooks for an XdsClient serving `target` (`#server` for a server's). */
  xdsClientMetrics(target: string): XdsClientMetrics {
    this.xds ??= new XdsClientInstruments(this.meter, this.series);
    return this.xds.recorder(target);
  }

  /** The mesh's resilience counters for a mesh client of `target`. */
  meshMetrics(target: string): MeshMetrics {
    this.mesh ??= new MeshInstruments(this.meter, this.series);
    return this.mesh.recorder(target);
  }

  /** Everything recorded so far, in Prometheus' text format. */
  async prometheus(): Promise<string> {
    const { resourceMetrics, errors } = await this.reader.collect();
    if (errors.length > 0) throw errors[0];
    const text = this.serializer.serialize(expandSeries(resourceMetrics, this.series));
    if (this.options.counterSuffixes !== false) return text;
    return withoutCounterSuffixes(text, suffixedCounters(resourceMetrics));
  }

  /** Opens the admin port (`/stats/prometheus`), where the options or SHOAL_ADMIN_PORT say. */
  async listen(port?: number, host?: string): Promise<{ host: string; port: number } | undefined> {
    const env = this.options.env ?? process.env;
    const p = port ?? this.options.adminPort ?? adminPortFromEnv(env);
    if (p === undefined) return undefined;
    this.admin ??= new AdminEndpoint({ metrics: () => this.prometheus() });
    return this.admin.listen(p, host ?? this.options.adminHost ?? '0.0.0.0');
  }

  /**
   * `bootstrap` with this process's admin port in its node metadata (SHOAL_ADMIN_PORT), once
   * listening; unchanged otherwise. Give it to the XdsClient so the control plane can list the
   * process for Prometheus.
   */
  announce(bootstrap: XdsBootstrap): XdsBootstrap {
    const address = this.adminAddress;
    if (address === undefined) return bootstrap;
    const metadata = { ...bootstrap.node.metadata, [ADMIN_PORT_METADATA_KEY]: address.port };
    return { ...bootstrap, node: { ...bootstrap.node, metadata } };
  }

  /** The admin port's address, once listening. */
  get adminAddress(): { host: string; port: number } | undefined {
    return this.admin?.address;
  }

  /** Sends the spans ended so far. */
  async flush(): Promise<void> {
    await this.tracerProvider?.forceFlush();
  }

  /** Closes the admin port and exports what is left. */
  async close(): Promise<void> {
    await this.admin?.close();
    await this.tracerProvider?.shutdown();
    await this.meterProvider.shutdown();
  }

  private istioInstruments(): IstioInstruments {
    this.istio ??= new IstioInstruments(
      this.meterProvider.getMeter('shoal.istio', VERSION),
      this.histogramScope('shoal.istio'),
      this.series,
    );
    return this.istio;
  }

  private histogramScope(name: string) {
    return { histograms: this.histograms, name, version: VERSION };
  }
}

/** Creates a process's telemetry. */
export function createTelemetry(options?: TelemetryOptions): Telemetry {
  return new Telemetry(options);
}
