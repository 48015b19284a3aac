// An xDS-enabled server (gRFC A36): the server takes its inbound Listener from the control plane
// (istiod's name `xds.istio.io/grpc/lds/inbound/IP:port`, or the bootstrap's
// server_listener_resource_name_template) and serves only once it has one. Until then, and while
// the Listener does not exist, it is NOT_SERVING: calls fail with UNAVAILABLE and health reports
// NOT_SERVING (set `serveWithoutListener` to serve anyway). A NACKed update keeps the last good
// Listener. Each call is matched against the chosen filter chain's routes (RDS or inline): only a
// route with non_forwarding_action lets it through; any other match, or none, is UNAVAILABLE.
// The chain's HTTP filters then run, built per route by their plug-ins with the route's
// overrides (gRFC A39): RBAC (A41) among them, denying with PERMISSION_DENIED; it sees the
// verified client certificate's identity (mutual TLS).
//
// Filter chains are chosen once per Listener (inbound-chains.ts): one for plaintext connections
// and, when the Listener has one matching transport_protocol "tls", one for TLS connections.
// Transport security (gRFC A29) follows the chains' DownstreamTlsContext per new connection
// (inbound-tls.ts); `xdsCredentials: false` ignores the TLS contexts (A29's fallback credentials).

import type { DescService } from '@bufbuild/protobuf';
import {
  type CallRequest,
  Code,
  type ConnectionPolicy,
  createServer,
  type Interceptor,
  type ListenAddress,
  methodPath,
  type RegisterOptions,
  RpcError,
  type Server,
  type ServerOptions,
  type ServiceImpl,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from '@shoal/rpc';
import type { Telemetry } from '@shoal/telemetry';
import { type WorkloadIdentity, workloadFromNode } from '@shoal/telemetry/plugins';
import {
  LISTENER_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
  type XdsBootstrap,
  type XdsClient,
  type XdsListener,
  type XdsRouteConfiguration,
} from '@shoal/xds/client';
import {
  CertificateProviders,
  serverListenerResourceName,
  type XdsFilterChain,
  type XdsHttpFilter,
  type XdsVirtualHost,
} from '@shoal/xds/plugins';
import type { ResourceWatcherSource } from '../config/watch-source.js';
import { type FilterOverrides, runFilters, serverFilterChain } from '../filters/filter-chain.js';
import type {
  FilterCall,
  FilterInterceptor,
  HttpFilterPlugins,
  ServerFacts,
} from '../filters/http-filter.js';
import { selectVirtualHost } from '../routing/domain-match.js';
import { type RouteEntry, RouteTable } from '../routing/route-table.js';
import type { DownstreamTls } from '../security/downstream-tls.js';
import { tlsContextKey } from '../security/tls-material.js';
import { systemClock } from '../support/clock.js';
import type { Random } from '../support/random-source.js';
import { type InboundChains, inboundChains } from './inbound-chains.js';
import { connectionPolicy, InboundTls } from './inbound-tls.js';
import { createServerHttpFilterRegistry } from './server-filter-registry.js';

/** istiod's server listener name template, used when the bootstrap has none (gRFC A36). */
export const DEFAULT_SERVER_LISTENER_TEMPLATE = 'xds.istio.io/grpc/lds/inbound/%s';

/** An xDS-enabled server's options: a server's, plus the xDS client, bootstrap and filter registry. */
export interface XdsEnabledServerOptions extends ServerOptions {
  /** For server_listener_resource_name_template; without it istiod's template is used. */
  readonly bootstrap?: XdsBootstrap;
  /** The inbound Listener's name, overriding the template. */
  readonly listenerName?: string;
  /** Serve before the Listener arrives and while it does not exist (A36 says not to). Default false. */
  readonly serveWithoutListener?: boolean;
  /** Told when the server starts or stops serving (A36's serving-status notifier). */
  readonly onServingStatus?: (serving: boolean, reason: string) => void;
  readonly random?: Random;
  /**
   * HTTP filter plug-ins; default createServerHttpFilterRegistry() (router, fault, RBAC). Give the
   * XdsClient that feeds this server the same registry when it has filters of its own.
   */
  readonly httpFilters?: HttpFilterPlugins;
  /**
   * Apply the chains' DownstreamTlsContext (gRFC A29's XdsServerCredentials). Default true; false
   * serves plaintext whatever the Listener says (A29's fallback credentials).
   */
  readonly xdsCredentials?: boolean;
  /** Certificate providers; default: the watched XdsClient's (from its bootstrap). */
  readonly certificateProviders?: CertificateProviders;
  /** Records gRFC A66's server metrics, Istio's reporter="destination" metrics and server spans. */
  readonly telemetry?: Telemetry;
  /** Who this server is in Istio's labels; default: the bootstrap's node. */
  readonly workload?: WorkloadIdentity;
}

/** What one filter chain serves with: its routes, filters and TLS. */
interface ChainServing {
  readonly routeConfig: XdsRouteConfiguration;
  readonly tables: ReadonlyMap<XdsVirtualHost, RouteTable>;
  /** The chain's HTTP filters, router last. */
  readonly httpFilters: readonly XdsHttpFilter[];
  /** Per route, its built filters (or why calls on it cannot be filtered), made on first use. */
  readonly filters: Map<RouteEntry, readonly FilterInterceptor[] | string>;
  readonly tls: DownstreamTls | undefined;
}

interface ServingConfig {
  readonly listener: string;
  readonly plaintext?: ChainServing;
  readonly tls?: ChainServing;
}

/**
 * An xDS-enabled server (gRFC A36): serves only once its Listener arrives, and applies its filter chains,
 * mTLS and HTTP filters to each connection and call.
 */
export class XdsEnabledServer {
  readonly server: Server;
  private serving: ServingConfig | undefined;
  private reason = 'waiting for the inbound listener from the control plane';
  private listenerName: string | undefined;
  /** The chains of the current Listener, waiting for or served with their routes. */
  private chains: { listener: string; chains: InboundChains } | undefined;
  /** RDS watches of the chains' route configs, by name. */
  private readonly rds = new Map<string, { cancel: () => void; value: XdsRouteConfiguration | undefined }>();
  private readonly inboundTls = new InboundTls(() => this.providers());
  private source: ResourceWatcherSource | undefined;
  private ownProviders: CertificateProviders | undefined;
  private cancelListener: (() => void) | undefined;
  private boundHost: string | undefined;
  private boundPort = 0;
  private readonly random: Random;
  /** The HTTP filter plug-ins this server runs (and its own XdsClient decodes with). */
  readonly httpFilters: HttpFilterPlugins;

  constructor(protected readonly options: XdsEnabledServerOptions = {}) {
    this.random = options.random ?? Math.random;
    this.httpFilters = options.httpFilters ?? createServerHttpFilterRegistry();
    const t = options.telemetry?.server(
      options.workload ?? (options.bootstrap ? workloadFromNode(options.bootstrap.node) : undefined),
    );
    this.server = createServer({
      ...options,
      ...(t && { callTracer: t.callTracer() }),
      interceptors: [this.gate(), ...(t ? [t.interceptor()] : []), ...(options.interceptors ?? [])],
      transportSecurity: () => this.connectionPolicy(),
    });
  }

  /** Registers a service implementation, as Server.register. */
  register<S extends DescService>(
    service: S,
    impl: Partial<ServiceImpl<S>>,
    options?: RegisterOptions,
  ): this {
    this.server.register(service, impl, options);
    if (!this.isServing) this.server.health.set(service.typeName, ServingStatus.NOT_SERVING);
    return this;
  }

  /** The interfaces registered so far, for self-registration. */
  get services(): readonly DescService[] {
    return this.server.services.filter((s) => !s.typeName.startsWith('grpc.'));
  }

  get isServing(): boolean {
    return this.serving !== undefined || this.options.serveWithoutListener === true;
  }

  /** Why the server is not serving, when it is not. */
  get notServingReason(): string | undefined {
    return this.isServing ? undefined : this.reason;
  }

  /** The inbound Listener's name once listening. */
  get inboundListenerName(): string | undefined {
    return this.listenerName;
  }

  /** Binds host:port (port 0 picks one). Serving starts when `watch` has delivered the Listener. */
  async listen(port = 0, host = '127.0.0.1'): Promise<ListenAddress> {
    const address = await this.server.listen(port, host);
    this.boundHost = address.host;
    this.boundPort = address.port;
    const ipPort = host.includes(':')
      ? `[${address.host}]:${address.port}`
      : `${address.host}:${address.port}`;
    this.listenerName =
      this.options.listenerName ??
      (this.options.bootstrap?.serverListenerResourceNameTemplate !== undefined
        ? serverListenerResourceName(this.options.bootstrap, ipPort)
        : DEFAULT_SERVER_LISTENER_TEMPLATE.replaceAll('%s', ipPort));
    return address;
  }

  /** Starts watching the inbound Listener (after listen, once the xDS client exists). */
  watch(source: ResourceWatcherSource): void {
    const name = this.listenerName;
    if (name === undefined)
      throw new RpcError(Code.FAILED_PRECONDITION, 'xDS-enabled server: call listen() before watch()');
    this.cancelListener?.();
    this.source = source;
    this.cancelListener = source.watch<XdsListener>(LISTENER_TYPE_URL, name, {
      onUpdate: (l) => this.onListener(source, l),
      onError: () => {}, // A36: keep serving with the last good Listener
      onDoesNotExist: () => {
        this.dropRds();
        this.setServing(undefined, `inbound listener ${JSON.stringify(name)} does not exist`);
      },
    });
  }

  async close(graceMs?: number): Promise<void> {
    this.cancelListener?.();
    this.dropRds();
    await this.server.close(graceMs);
    this.ownProviders?.close();
  }

  private onListener(source: ResourceWatcherSource, l: XdsListener): void {
    if (l.kind !== 'server') {
      this.setServing(
        undefined,
        `listener ${JSON.stringify(l.name)} is a client listener, not an inbound one`,
      );
      return;
    }
    // A36: the Listener must be for the address this server listens on.
    const mismatch = addressMismatch(l.address, this.boundHost, this.boundPort);
    if (mismatch !== undefined) {
      this.dropRds();
      this.setServing(undefined, `listener ${JSON.stringify(l.name)} ${mismatch}`);
      return;
    }
    const chains = inboundChains(l);
    if (chains.plaintext === undefined && chains.tls === undefined) {
      this.setServing(undefined, `listener ${JSON.stringify(l.name)} has no usable filter chain`);
      return;
    }
    this.chains = { listener: l.name, chains };
    const wanted = new Set<string>();
    for (const chain of [chains.plaintext, chains.tls]) {
      const r = chain?.http.route;
      if (r?.kind === 'rds') wanted.add(r.routeConfigName);
    }
    for (const [name, watch] of this.rds) {
      if (wanted.has(name)) continue;
      watch.cancel();
      this.rds.delete(name);
    }
    for (const name of wanted) if (!this.rds.has(name)) this.watchRds(source, name);
    this.rebuild();
  }

  private watchRds(source: ResourceWatcherSource, name: string): void {
    const watch: { cancel: () => void; value: XdsRouteConfiguration | undefined } = {
      cancel: () => {},
      value: undefined,
    };
    this.rds.set(name, watch);
    watch.cancel = source.watch<XdsRouteConfiguration>(ROUTE_CONFIGURATION_TYPE_URL, name, {
      onUpdate: (rc) => {
        if (this.rds.get(name) !== watch) return;
        watch.value = rc;
        this.rebuild();
      },
      onError: () => {},
      onDoesNotExist: () => {
        if (this.rds.get(name) !== watch) return;
        watch.value = undefined;
        this.setServing(undefined, `route configuration ${JSON.stringify(name)} does not exist`);
      },
    });
  }

  /** Serves the current chains once each has its routes. */
  private rebuild(): void {
    const current = this.chains;
    if (current === undefined) return;
    const { plaintext, tls } = current.chains;
    const secure = this.options.xdsCredentials !== false;
    let downstream: ReturnType<InboundTls['resolve']>;
    try {
      downstream = this.inboundTls.resolve(secure ? [plaintext?.tls, tls?.tls] : []);
    } catch (err) {
      this.setServing(undefined, `listener ${JSON.stringify(current.listener)}: ${(err as Error).message}`);
      return;
    }
    const serve = (chain: XdsFilterChain | undefined): ChainServing | null | undefined => {
      if (chain === undefined) return undefined;
      const r = chain.http.route;
      const routeConfig = r.kind === 'inline' ? r.routeConfig : this.rds.get(r.routeConfigName)?.value;
      if (routeConfig === undefined) return null; // its RDS has not arrived yet
      const tables = new Map<XdsVirtualHost, RouteTable>();
      for (const vh of routeConfig.virtualHosts) tables.set(vh, new RouteTable(vh));
      const tlsOf = secure && chain.tls ? downstream.get(tlsContextKey(chain.tls)) : undefined;
      return { routeConfig, tables, httpFilters: chain.http.httpFilters, filters: new Map(), tls: tlsOf };
    };
    const plain = serve(plaintext);
    const encrypted = serve(tls);
    if (plain === null || encrypted === null) return;
    this.inboundTls.keep(downstream);
    this.setServing(
      {
        listener: current.listener,
        ...(plain && { plaintext: plain }),
        ...(encrypted && { tls: encrypted }),
      },
      'serving',
    );
  }

  /** The certificate providers of this server's bootstrap. */
  private providers(): CertificateProviders {
    if (this.options.certificateProviders) return this.options.certificateProviders;
    const fromSource = (this.source as Partial<XdsClient> | undefined)?.certificateProviders;
    if (fromSource) return fromSource;
    const bootstrap = this.options.bootstrap;
    if (!bootstrap)
      throw new RpcError(Code.FAILED_PRECONDITION, 'no bootstrap to read certificate_providers from');
    this.ownProviders ??= new CertificateProviders(bootstrap);
    return this.ownProviders;
  }

  /** What a new connection may be, from the chains being served. */
  private connectionPolicy(): ConnectionPolicy {
    return this.serving === undefined ? { plaintext: true } : connectionPolicy(this.serving);
  }

  /** The HTTP filters that run on a route, with its overrides (A39: route, then virtual host). */
  private filtersFor(
    config: ChainServing,
    vh: XdsVirtualHost,
    route: RouteEntry,
  ): readonly FilterInterceptor[] | string {
    let filters = config.filters.get(route);
    if (filters === undefined) {
      const overrides: FilterOverrides = [route.route.filterOverrides, vh.filterOverrides];
      filters = serverFilterChain(config.httpFilters, overrides, this.httpFilters, {
        clock: systemClock,
        random: this.random,
        server: this.facts(),
      });
      config.filters.set(route, filters);
    }
    return filters;
  }

  private facts(): ServerFacts {
    const host = this.boundHost;
    const wildcard = host === undefined || host === '0.0.0.0' || host === '::';
    return { localIp: wildcard ? undefined : host, localPort: this.boundPort };
  }

  private dropRds(): void {
    for (const watch of this.rds.values()) watch.cancel();
    this.rds.clear();
    this.chains = undefined;
  }

  private setServing(config: ServingConfig | undefined, reason: string): void {
    const was = this.isServing;
    this.serving = config;
    this.reason = reason;
    const now = this.isServing;
    const status = now ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    for (const s of this.server.services)
      if (!s.typeName.startsWith('grpc.')) this.server.health.set(s.typeName, status);
    this.server.health.set('', status);
    if (was !== now || config === undefined) this.options.onServingStatus?.(now, reason);
  }

  /** The interceptor that enforces serving state and non_forwarding routes. */
  private gate(): Interceptor {
    return (next) => (request) => {
      const path = methodPath(request.method);
      if (path.startsWith('/grpc.health.') || path.startsWith('/grpc.reflection.')) return next(request);
      const config = this.serving;
      if (config === undefined) {
        if (this.options.serveWithoutListener) return next(request);
        return Promise.reject(
          new RpcError(Code.UNAVAILABLE, `xDS-enabled server is not serving: ${this.reason}`),
        );
      }
      // The chain that took this connection: TLS ones go to a TLS-matching chain when there is one.
      const chain = (request.context?.security !== undefined && config.tls) || config.plaintext;
      if (chain === undefined)
        return Promise.reject(
          new RpcError(
            Code.UNAVAILABLE,
            `inbound listener ${JSON.stringify(config.listener)} takes only TLS connections`,
          ),
        );
      const authority = request.header.getString(':authority') ?? request.header.getString('host') ?? '';
      const vh = selectVirtualHost(chain.routeConfig.virtualHosts, authority);
      const table = vh && chain.tables.get(vh);
      const route = table?.match(path, request.header, this.random);
      if (route?.route.action.kind !== 'non_forwarding')
        return Promise.reject(
          new RpcError(
            Code.UNAVAILABLE,
            route === undefined
              ? `no route of inbound listener ${JSON.stringify(config.listener)} matches ${path}`
              : `route ${JSON.stringify(route.name)} of inbound listener ${JSON.stringify(config.listener)} is not a non_forwarding route`,
          ),
        );
      const filters = this.filtersFor(chain, vh!, route);
      if (typeof filters === 'string')
        return Promise.reject(new RpcError(Code.UNAVAILABLE, `xDS-enabled server: ${filters}`));
      if (filters.length === 0) return next(request);
      return runFilters(filters, new ServerCall(path, request), () => next(request));
    };
  }
}

/** A call as the server's filters see it. */
class ServerCall implements FilterCall {
  constructor(
    readonly path: string,
    readonly request: CallRequest,
  ) {}

  note(): void {}
}

const WILDCARDS: ReadonlySet<string> = new Set(['0.0.0.0', '::', '']);

/** Why a server Listener's address is not this server's, or undefined when it is. */
function addressMismatch(
  address: { host: string; port: number },
  boundHost: string | undefined,
  boundPort: number,
): string | undefined {
  if (address.port !== boundPort)
    return `is for port ${address.port}, but this server listens on ${boundPort}`;
  if (boundHost === undefined || WILDCARDS.has(address.host) || WILDCARDS.has(boundHost)) return undefined;
  if (address.host !== boundHost) return `is for ${address.host}, but this server listens on ${boundHost}`;
  return undefined;
}

/** Creates an xDS-enabled server (gRFC A36). */
export function createXdsEnabledServer(options?: XdsEnabledServerOptions): XdsEnabledServer {
  return new XdsEnabledServer(options);
}
