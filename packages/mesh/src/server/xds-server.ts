// An xDS-enabled server (gRFC A36): the server takes its inbound Listener from the control plane
// (istiod's name `xds.istio.io/grpc/lds/inbound/IP:port`, or the bootstrap's
// server_listener_resource_name_template) and serves only once it has one. Until then, and while
// the Listener does not exist, it is NOT_SERVING: calls fail with UNAVAILABLE and health reports
// NOT_SERVING (set `serveWithoutListener` to serve anyway). A NACKed update keeps the last good
// Listener. Each call is matched against the chosen filter chain's routes (RDS or inline): only a
// route with non_forwarding_action lets it through; any other match, or none, is UNAVAILABLE.
// The chain's RBAC filters (gRFC A41, with per-route overrides) then decide: PERMISSION_DENIED.
// They see the connection's addresses (the peer for remote_ip/direct_remote_ip/source_ip, the
// local IP for destination_ip on a wildcard listener), read only when a rule needs them, and the
// verified client certificate's identity (mutual TLS).
//
// Transport security (gRFC A29): each new connection gets the policy of the chains
// (inbound-chains.ts): a chain's DownstreamTlsContext makes its connections TLS with the identity
// provider's certificate (and, with require_client_certificate, mutual TLS); a TLS-matching chain
// beside a plaintext one serves both on the port (Istio's PERMISSIVE). A plaintext call where
// only TLS is taken fails UNAVAILABLE saying so. Certificates are read per connection, so a
// rotation never fails a call. `xdsCredentials: false` ignores the TLS contexts (A29's fallback).

import type { DescService } from '@bufbuild/protobuf';
import {
  type CallAddresses,
  type CallRequest,
  Code,
  type ConnectionPolicy,
  createServer,
  type Interceptor,
  type ListenAddress,
  type Metadata,
  methodPath,
  type RegisterOptions,
  RpcError,
  type Server,
  type ServerOptions,
  type ServiceImpl,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from '@shoal/rpc';
import { type Telemetry, type WorkloadIdentity, workloadFromNode } from '@shoal/telemetry';
import {
  CertificateProviders,
  LISTENER_TYPE_URL,
  RBAC_TYPE_URL,
  type RbacFilterConfig,
  ROUTE_CONFIGURATION_TYPE_URL,
  serverListenerResourceName,
  type XdsBootstrap,
  type XdsClient,
  type XdsFilterChain,
  type XdsHttpFilter,
  type XdsListener,
  type XdsRouteConfiguration,
  type XdsVirtualHost,
} from '@shoal/xds/client';
import type { ResourceWatcherSource } from '../config/watch-source.js';
import type { Random } from '../lb/random-source.js';
import { selectVirtualHost } from '../routing/domain-match.js';
import { type RouteEntry, RouteTable } from '../routing/route-table.js';
import { DownstreamTls } from '../security/downstream-tls.js';
import { type PeerIdentity, peerIdentity } from '../security/peer-identity.js';
import { tlsContextKey } from '../security/tls-material.js';
import { type InboundChains, inboundChains } from './inbound-chains.js';
import { compileRbac, type RbacEngine, type RbacRequest, type RbacServerFacts } from './rbac-engine.js';

export const DEFAULT_SERVER_LISTENER_TEMPLATE = 'xds.istio.io/grpc/lds/inbound/%s';

export interface XdsServerOptions extends ServerOptions {
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
  /** The chain's HTTP filters (RBAC ones are enforced). */
  readonly httpFilters: readonly XdsHttpFilter[];
  /** RBAC engines per route, compiled on first use. */
  readonly rbac: Map<RouteEntry, RbacEngine[]>;
  readonly tls: DownstreamTls | undefined;
}

interface ServingConfig {
  readonly listener: string;
  readonly plaintext: ChainServing | undefined;
  readonly tls: ChainServing | undefined;
}

export class XdsServer {
  readonly server: Server;
  private serving: ServingConfig | undefined;
  private reason = 'waiting for the inbound listener from the control plane';
  private listenerName: string | undefined;
  /** The chains of the current Listener, waiting for or served with their routes. */
  private chains: { listener: string; chains: InboundChains } | undefined;
  /** RDS watches of the chains' route configs, by name. */
  private readonly rds = new Map<string, { cancel: () => void; value: XdsRouteConfiguration | undefined }>();
  /** TLS of chains, by context: an unchanged context keeps its certificates and policy objects. */
  private downstreamTls = new Map<string, DownstreamTls>();
  private source: ResourceWatcherSource | undefined;
  private ownProviders: CertificateProviders | undefined;
  private cancelListener: (() => void) | undefined;
  private boundHost: string | undefined;
  private boundPort = 0;
  private readonly random: Random;

  constructor(protected readonly options: XdsServerOptions = {}) {
    this.random = options.random ?? Math.random;
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
    const tlsByKey = new Map<string, DownstreamTls>();
    const serve = (chain: XdsFilterChain | undefined): ChainServing | null | undefined => {
      if (chain === undefined) return undefined;
      const r = chain.http.route;
      const routeConfig = r.kind === 'inline' ? r.routeConfig : this.rds.get(r.routeConfigName)?.value;
      if (routeConfig === undefined) return null; // its RDS has not arrived yet
      let downstream: DownstreamTls | undefined;
      if (chain.tls && this.options.xdsCredentials !== false) {
        const key = tlsContextKey(chain.tls);
        downstream =
          tlsByKey.get(key) ?? this.downstreamTls.get(key) ?? new DownstreamTls(chain.tls, this.providers());
        tlsByKey.set(key, downstream);
      }
      const tables = new Map<XdsVirtualHost, RouteTable>();
      for (const vh of routeConfig.virtualHosts) tables.set(vh, new RouteTable(vh));
      return { routeConfig, tables, httpFilters: chain.http.httpFilters, rbac: new Map(), tls: downstream };
    };
    let plain: ChainServing | null | undefined;
    let secure: ChainServing | null | undefined;
    try {
      plain = serve(plaintext);
      secure = serve(tls);
    } catch (err) {
      this.setServing(undefined, `listener ${JSON.stringify(current.listener)}: ${(err as Error).message}`);
      return;
    }
    if (plain === null || secure === null) return;
    this.downstreamTls = tlsByKey;
    this.setServing({ listener: current.listener, plaintext: plain, tls: secure }, 'serving');
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

  /** What a new connection may be, from the chains being served (transport-security.ts in rpc). */
  private connectionPolicy(): ConnectionPolicy {
    const config = this.serving;
    if (config === undefined) return { plaintext: true };
    const plaintextChain = config.plaintext;
    const tlsChain = config.tls ?? (plaintextChain?.tls ? plaintextChain : undefined);
    const plaintext = plaintextChain !== undefined && plaintextChain.tls === undefined;
    if (tlsChain?.tls === undefined) return { plaintext };
    try {
      return { plaintext, tls: tlsChain.tls.policy(), plaintextRefusal: requiresTls(tlsChain.tls) };
    } catch (err) {
      return { plaintext, plaintextRefusal: `${requiresTls(tlsChain.tls)}, and ${(err as Error).message}` };
    }
  }

  /** The RBAC filters that run on a route, with A39 overrides (route, then virtual host). */
  private rbacEngines(config: ChainServing, vh: XdsVirtualHost, route: RouteEntry): RbacEngine[] {
    let engines = config.rbac.get(route);
    if (engines === undefined) {
      engines = [];
      for (const f of config.httpFilters) {
        if (f.typeUrl !== RBAC_TYPE_URL) continue;
        const override = route.route.filterOverrides[f.name] ?? vh.filterOverrides[f.name];
        if (override?.disabled || (override === undefined && f.disabled)) continue;
        const rbac = (override?.config ?? f.config) as RbacFilterConfig | undefined;
        if (rbac !== undefined) engines.push(compileRbac(rbac, this.facts()));
      }
      config.rbac.set(route, engines);
    }
    return engines;
  }

  private facts(): RbacServerFacts {
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
      const engines = this.rbacEngines(chain, vh!, route);
      const facts = engines.length === 0 ? undefined : new ConnectionFacts(path, request);
      for (const engine of engines) {
        const decision = engine(facts!);
        if (!decision.allowed)
          return Promise.reject(
            new RpcError(
              Code.PERMISSION_DENIED,
              `RBAC: access denied${decision.policy === undefined ? '' : ` by policy ${JSON.stringify(decision.policy)}`}`,
            ),
          );
      }
      return next(request);
    };
  }
}

/**
 * What RBAC sees of a call: the path and headers, and the connection's addresses (remote_ip,
 * direct_remote_ip, source_ip; destination_ip on a wildcard listener), read from the socket only
 * if a rule asks for them and then once.
 */
class ConnectionFacts implements RbacRequest {
  #addresses: CallAddresses | null | undefined;

  constructor(
    readonly path: string,
    private readonly request: CallRequest,
  ) {}

  get headers(): Metadata {
    return this.request.header;
  }

  get localIp(): string | undefined {
    return this.addresses()?.localIp;
  }

  get remoteIp(): string | undefined {
    return this.addresses()?.remoteIp;
  }

  get peer(): PeerIdentity | undefined {
    const cert = this.request.context?.security?.peerCertificate;
    return cert && peerIdentity(cert);
  }

  private addresses(): CallAddresses | null {
    if (this.#addresses === undefined) this.#addresses = this.request.context?.addresses ?? null;
    return this.#addresses;
  }
}

/** Why a plaintext connection is refused where a chain requires TLS. */
function requiresTls(tls: DownstreamTls): string {
  return tls.context.requireClientCertificate
    ? "the inbound listener requires mutual TLS (its DownstreamTlsContext sets require_client_certificate, as PeerAuthentication STRICT makes it); call it with the mesh's certificates (an UpstreamTlsContext, or XdsChannelCredentials)"
    : 'the inbound listener requires TLS (its filter chain has a DownstreamTlsContext)';
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
export function createXdsServer(options?: XdsServerOptions): XdsServer {
  return new XdsServer(options);
}
