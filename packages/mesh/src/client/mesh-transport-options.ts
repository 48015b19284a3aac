// The options of a mesh transport (mesh-transport.ts): where xDS resources come from, the target,
// connections, LB policies, HTTP filters, and the listeners and plug-ins (telemetry, load
// reporting) it tells.

import type { GrpcTransportOptions, Transport } from '@shoal/rpc/client';
import type { SessionPool } from '@shoal/rpc/plugins';
import type { Telemetry } from '@shoal/telemetry';
import type { XdsBootstrap } from '@shoal/xds/client';
import type { CertificateProviders } from '@shoal/xds/plugins';
import type { MeshConfigUpdate } from '../config/mesh-config.js';
import type { ResourceWatcherSource } from '../config/watch-source.js';
import type { HttpFilterPlugins } from '../filters/http-filter.js';
import type { LbPolicyRegistry } from '../lb/lb-policy-registry.js';
import type { EjectionEvent } from '../lb/outlier-detector.js';
import type { LoadReporter } from '../load-report/load-reporter.js';
import type { Clock } from '../support/clock.js';
import type { Random } from '../support/random-source.js';
import type { CallDecision } from './call-decision.js';

/**
 * What a MeshTransport needs: its target, xDS client or bootstrap, and optional telemetry, filters and
 * policies.
 */
export interface MeshTransportOptions {
  /**
   * Where xDS resources come from: an XdsClient from @shoal/xds (shared by many clients), or any
   * ResourceWatcherSource. Default: an XdsClient of this transport's own, from `bootstrap` or the
   * environment (GRPC_XDS_BOOTSTRAP / GRPC_XDS_BOOTSTRAP_CONFIG), closed with it.
   */
  readonly xds?: ResourceWatcherSource;
  /** `xds:///host:port` or an interface name such as `greet.v1.GreeterService`. */
  readonly target: string;
  /** For listener name templates and authorities (gRFC A47), and for the default XdsClient. */
  readonly bootstrap?: XdsBootstrap;
  /** Connections to endpoints; shared with other transports when given (then not closed here). */
  readonly pool?: SessionPool;
  /** Options for the per-endpoint gRPC transports (codec, compression, limits, TLS). */
  readonly grpc?: Omit<GrpcTransportOptions, 'address' | 'pool' | 'authority'>;
  /**
   * How a call reaches a picked endpoint (`host:port`, with the target's `:authority`). Default:
   * a GrpcTransport on the shared pool, made once per endpoint and closed when it leaves the config.
   * Endpoints of clusters with an UpstreamTlsContext are always reached by a GrpcTransport over it.
   */
  readonly endpointTransport?: (address: string, authority: string) => Transport;
  /**
   * Apply the clusters' UpstreamTlsContext (gRFC A29's XdsChannelCredentials). Default true;
   * false ignores it and dials plaintext (A29's fallback credentials).
   */
  readonly xdsCredentials?: boolean;
  /** Certificate providers; default: the XdsClient's (from its bootstrap). */
  readonly certificateProviders?: CertificateProviders;
  /** LB policies by name; defaults to the built-in ones. */
  readonly lbPolicies?: LbPolicyRegistry;
  /**
   * HTTP filter plug-ins; default createHttpFilterRegistry() (router, fault). The XdsClient made
   * here decodes with it; give a shared `xds` client the same registry when it has filters of its own.
   */
  readonly httpFilters?: HttpFilterPlugins;
  readonly random?: Random;
  readonly clock?: Clock;
  /** Told about each routing decision (one per attempt), for debugging. */
  readonly onDecision?: (decision: CallDecision) => void;
  /** Told about each new snapshot or config error. */
  readonly onConfig?: (update: MeshConfigUpdate) => void;
  /** Told when outlier detection ejects or returns endpoints. */
  readonly onEjection?: (cluster: string, events: readonly EjectionEvent[]) => void;
  /**
   * Metrics: the mesh's counters (ejections, circuit-breaker rejections, retries, faults) and gRFC
   * A78's for the XdsClient made here. createMeshClient also adds the call interceptor (A66, Istio
   * metrics, traces) from the same Telemetry.
   */
  readonly telemetry?: Telemetry;
  /**
   * Where clusters with `lrs_server: self` report their load (gRFC A27); shared by many clients
   * when given (then not closed here). Default: one of this transport's own, to its XdsClient's server.
   */
  readonly loadReporter?: LoadReporter;
}
