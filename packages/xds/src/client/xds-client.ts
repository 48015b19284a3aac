// The xDS client (gRFC A27 XdsClient; A46 partial NACK; A47 xdstp authorities; A53; A57 failure
// modes): watchers per resource, one ADS stream per server, a cache that survives disconnects,
// does-not-exist timers, and watcher callbacks run one at a time, in order.
import type { LookupFunction } from 'node:net';
import { type Client, Code, createClient, RpcError } from '@shoal/rpc/client';
import {
  type LoadBootstrapOptions,
  loadBootstrap,
  type XdsBootstrap,
  type XdsServerConfig,
} from '../bootstrap.js';
import type { Node } from '../gen/envoy/config/core/v3/base_pb.js';
import { AggregatedDiscoveryService } from '../gen/envoy/service/discovery/v3/ads_pb.js';
import type {
  DeltaDiscoveryResponse,
  DiscoveryResponse,
} from '../gen/envoy/service/discovery/v3/discovery_pb.js';
import { type CertificateProviderRegistry, CertificateProviders } from '../security/certificate-providers.js';
import { AdsStream } from './ads-stream.js';
import { applyDeltaResponse } from './apply-delta-response.js';
import { type ApplyContext, applyResponse, type WatcherNotifier } from './apply-response.js';
import type { BackoffOptions } from './backoff.js';
import { CallbackQueue } from './callback-queue.js';
import type {
  XdsCacheState,
  XdsClientGauges,
  XdsClientMetrics,
  XdsResourceCount,
  XdsServerConnection,
} from './client-metrics.js';
import { DeltaAdsStream } from './delta-ads-stream.js';
import { type FallbackHooks, FallbackStream, type InnerStream } from './fallback-stream.js';
import { silentLogger, type XdsLogger } from './log.js';
import { buildNode, type NodeOptions } from './node.js';
import type { StreamSetup, XdsStream } from './reconnecting-stream.js';
import {
  type CacheEntry,
  ResourceCache,
  type WatchRegistration,
  type XdsResourceSnapshot,
  type XdsWatcher,
} from './resource-cache.js';
import { type XdsResourceType, XdsResourceTypeRegistry } from './resource-type.js';
import { serversFor } from './server-selection.js';
import { createServerTransport, type XdsTransportFactory } from './server-transport.js';

/** An xDS client's bootstrap, protocol (SotW or delta), timeouts, and its node, metrics and logger. */
export interface XdsClientOptions extends NodeOptions {
  /** The bootstrap, or where to load it from (default: the environment, see loadBootstrap). */
  readonly bootstrap?: XdsBootstrap | LoadBootstrapOptions;
  /**
   * `sotw` (default): state of the world, what gRPC and istiod speak. `delta`: incremental xDS
   * (DeltaAggregatedResources), which Shoal's control plane serves too.
   */
  readonly protocol?: 'sotw' | 'delta';
  /** How long a requested resource may stay unanswered before it does not exist. Default 15 000 ms. */
  readonly doesNotExistTimeoutMs?: number;
  /**
   * Reconnect backoff; default gRPC's connection backoff (1 s, ×1.6) but capped at 4 s with full
   * jitter, so a returning control plane is found within 4 s of any outage (backoff.ts).
   */
  readonly backoff?: BackoffOptions;
  readonly createTransport?: XdsTransportFactory;
  /**
   * Resolves the host names of `server_uri`s (default node:dns lookup). A name may stand for
   * several control planes: each connection tries every address it resolves to, in turn, until
   * one answers, so one DNS name with an address per replica fails over as `xds_servers` do.
   */
  readonly lookup?: LookupFunction;
  /** Debug log hook. Default: silent. */
  readonly log?: XdsLogger;
  /** Where exceptions thrown by watcher callbacks go. Default: the log hook at `warn`. */
  readonly onWatcherError?: (error: unknown) => void;
  /** Certificate provider plug-ins (gRFC A29); default file_watcher and shoal_ca. */
  readonly certificateProviderRegistry?: CertificateProviderRegistry;
  /** Told of resource updates and server failures, and given the gauges (gRFC A78). */
  readonly metrics?: XdsClientMetrics;
}

/**
 * The xDS client: one ADS stream per server, watchers per resource, a cache that survives disconnects,
 * ACK/NACK.
 */
export class XdsClient implements XdsClientGauges {
  readonly bootstrap: XdsBootstrap;
  /** The Node sent on every ADS stream (CSDS reports it too). */
  readonly node: Node;
  /** The bootstrap's certificate provider instances (gRFC A29), made on first use, closed with the client. */
  readonly certificateProviders: CertificateProviders;
  private readonly types = new XdsResourceTypeRegistry();
  private readonly cache = new ResourceCache();
  private readonly streams = new Map<string, { stream: XdsStream; dispose: () => void }>();
  private readonly queue: CallbackQueue;
  private readonly log: XdsLogger;
  private readonly notify: WatcherNotifier;
  private closed = false;
  /** Per server URI (A78): `up` once a stream has a response, `failed` when one ends without. */
  private readonly connected = new Map<string, 'initial' | 'up' | 'failed'>();
  private readonly detachMetrics: (() => void) | undefined;

  constructor(private readonly options: XdsClientOptions = {}) {
    const b = options.bootstrap;
    this.bootstrap = b && 'xdsServers' in b ? b : loadBootstrap(b);
    this.node = buildNode(this.bootstrap, options);
    this.certificateProviders = new CertificateProviders(this.bootstrap, {
      ...(options.certificateProviderRegistry && { registry: options.certificateProviderRegistry }),
    });
    this.log = options.log ?? silentLogger;
    this.queue = new CallbackQueue(
      options.onWatcherError ??
        ((e) => this.log('warn', `xDS watcher callback threw: ${(e as Error)?.stack ?? e}`)),
    );
    this.notify = {
      update: (entry) => {
        const value = entry.value; // as of now: a later update queues its own callback
        this.each(entry, (w) => w.onUpdate(value));
      },
      error: (entry, error) => this.each(entry, (w) => w.onError(error)),
      doesNotExist: (entry) => this.each(entry, (w) => w.onDoesNotExist()),
    };
    this.detachMetrics = options.metrics?.attach?.(this);
  }

  /** Each xDS server this client talks to, and whether its stream works (A78's `connected`). */
  serverConnections(): XdsServerConnection[] {
    return [...this.connected].map(([server, state]) => ({ server, connected: state === 'up' }));
  }

  /** Cached resources by authority, type and A78 cache state. */
  resourceCounts(): XdsResourceCount[] {
    const counts = new Map<string, XdsResourceCount>();
    for (const e of this.cache.entries()) {
      const authority = e.name.startsWith('xdstp://')
        ? (e.name.slice('xdstp://'.length).split('/', 1)[0] ?? '')
        : '#old';
      const cacheState = cacheStateOf(e);
      const key = `${authority}\u0000${e.typeUrl}\u0000${cacheState}`;
      const seen = counts.get(key);
      counts.set(key, { authority, typeUrl: e.typeUrl, cacheState, count: (seen?.count ?? 0) + 1 });
    }
    return [...counts.values()];
  }

  /** Adds a resource type this client can watch. The built-in four: registerDefaultResourceTypes(). */
  registerResourceType<T>(type: XdsResourceType<T>): this {
    this.types.register(type);
    return this;
  }

  /**
   * Watches one resource. The watcher gets the cached value (if any) first, then every change.
   * Returns the cancel function; the resource is unsubscribed when its last watcher cancels.
   */
  watch<T>(typeUrl: string, name: string, watcher: XdsWatcher<T>): () => void {
    if (this.closed) throw new RpcError(Code.FAILED_PRECONDITION, 'xDS client is closed');
    const type = this.types.require(typeUrl);
    const registration: WatchRegistration = { watcher: watcher as XdsWatcher<unknown>, active: true };
    let entry = this.cache.get(typeUrl, name);
    if (!entry) {
      const servers = serversFor(this.bootstrap, name);
      if ('error' in servers) {
        this.queue.push(() => (registration.active ? watcher.onError(servers.error) : undefined));
        return () => (registration.active = false);
      }
      entry = this.cache.create(typeUrl, name, this.streamFor(servers.servers, servers.reachabilityOnly));
      entry.watchers.add(registration);
      entry.stream.subscribe(type.typeUrl, name);
    } else {
      entry.watchers.add(registration);
      this.replay(entry, registration);
    }
    const watched = entry;
    return () => {
      if (!registration.active) return;
      registration.active = false;
      watched.watchers.delete(registration);
      if (watched.watchers.size > 0 || this.cache.get(typeUrl, name) !== watched) return;
      this.cache.delete(watched);
      watched.stream.unsubscribe(typeUrl, name);
    };
  }

  /** Everything the client knows, resource by resource (CSDS). */
  dump(): XdsResourceSnapshot[] {
    return [...this.cache.entries()].map((e) => this.cache.snapshot(e));
  }

  /** Resolves once every watcher callback queued so far has run. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Closes every stream; watchers get no more callbacks. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.certificateProviders.close();
    this.detachMetrics?.();
    for (const entry of [...this.cache.entries()]) {
      for (const r of entry.watchers) r.active = false;
      this.cache.delete(entry);
    }
    await Promise.all(
      [...this.streams.values()].map(async ({ stream, dispose }) => {
        await stream.close();
        dispose();
      }),
    );
    this.streams.clear();
  }

  /**
   * One stream per server list: a plain one, or a gRFC A71 fallback group for several servers, which
   * falls back for uncached resources only, or whenever the server is unreachable (gRFC A95).
   */
  private streamFor(servers: readonly XdsServerConfig[], reachabilityOnly: boolean): XdsStream {
    const key = `${reachabilityOnly ? 'reachability:' : ''}${servers.map((s) => `${s.serverUri}|${JSON.stringify(s.channelCredentials)}`).join(',')}`;
    const existing = this.streams.get(key);
    if (existing) return existing.stream;
    let stream: XdsStream;
    let dispose: () => void;
    if (servers.length === 1) {
      const inner = this.serverStream(servers[0]!, () => stream);
      stream = inner.stream;
      dispose = inner.dispose;
    } else {
      const group: FallbackStream = new FallbackStream(
        servers,
        (server, index) => this.serverStream(server, () => group, { group, index }),
        () =>
          reachabilityOnly ||
          [...this.cache.entries()].some(
            (e) => e.stream === group && !e.hasValue && e.status === 'requested',
          ),
        this.log,
      );
      stream = group;
      dispose = () => {};
    }
    this.streams.set(key, { stream, dispose });
    return stream;
  }

  /** The ADS stream to one server; cache entries belong to `owner()` (itself, or its fallback group). */
  private serverStream(
    server: XdsServerConfig,
    owner: () => XdsStream,
    fallback?: { group: FallbackHooks; index: number },
  ): InnerStream {
    let stream!: XdsStream; // set below, before any call can report a connection
    const transport = (this.options.createTransport ?? createServerTransport)(
      server,
      () => stream.connectionUp(),
      {
        certificateProviders: this.certificateProviders,
        ...(this.options.lookup && { lookup: this.options.lookup }),
      },
    );
    const client: Client<typeof AggregatedDiscoveryService> = createClient(
      AggregatedDiscoveryService,
      transport,
    );
    const uri = server.serverUri;
    if (!this.connected.has(uri)) this.connected.set(uri, 'initial');
    const responded = () => {
      this.connected.set(uri, 'up');
      fallback?.group.responded(fallback.index);
    };
    const setup: StreamSetup = {
      server,
      node: this.node,
      events: {
        onResponse: (response) => {
          responded();
          return this.onResponse(owner(), response, uri);
        },
        onDeltaResponse: (response) => {
          responded();
          return this.onResponse(owner(), response, uri);
        },
        heldVersions: (typeUrl) => this.heldVersions(owner(), typeUrl),
        onRequestSent: (typeUrl, names) => this.startTimers(owner(), typeUrl, names),
        onStreamClosed: (error, hadResponse) => {
          if (!hadResponse) this.serverFailed(uri);
          if (!fallback || fallback.group.closed(fallback.index, hadResponse)) {
            this.onStreamClosed(owner(), error, hadResponse);
          }
        },
      },
      shortName: (typeUrl) => this.types.get(typeUrl)?.shortName ?? typeUrl,
      log: this.log,
      ...(this.options.backoff && { backoff: this.options.backoff }),
    };
    stream =
      this.options.protocol === 'delta' ? new DeltaAdsStream(setup, client) : new AdsStream(setup, client);
    return { stream, dispose: () => transport.close() };
  }

  private onResponse(
    stream: XdsStream,
    response: DiscoveryResponse | DeltaDiscoveryResponse,
    server: string,
  ): readonly string[] {
    const type = this.types.get(response.typeUrl);
    const metrics = this.options.metrics;
    if (!type) {
      metrics?.resourceUpdates(server, response.typeUrl, 0, response.resources.length);
      return [`resource type ${response.typeUrl || '(empty)'} is not supported`];
    }
    const counts = metrics ? { valid: 0, invalid: 0 } : undefined;
    const context: ApplyContext = {
      stream,
      type,
      cache: this.cache,
      notify: this.notify,
      log: this.log,
      now: new Date(),
      ...(counts && { counts }),
    };
    const errors =
      response.$typeName === 'envoy.service.discovery.v3.DeltaDiscoveryResponse'
        ? applyDeltaResponse(context, response)
        : applyResponse(context, response);
    if (counts) metrics!.resourceUpdates(server, response.typeUrl, counts.valid, counts.invalid);
    return errors;
  }

  /** A78: counted when a server goes unhealthy, not again until it has answered once more. */
  private serverFailed(server: string): void {
    if (this.connected.get(server) === 'failed') return;
    this.connected.set(server, 'failed');
    this.options.metrics?.serverFailure(server);
  }

  /** What the cache holds from `stream`, for delta's initial_resource_versions. */
  private heldVersions(stream: XdsStream, typeUrl: string): Record<string, string> {
    const held: Record<string, string> = {};
    for (const entry of this.cache.entries()) {
      if (entry.stream === stream && entry.typeUrl === typeUrl && entry.hasValue)
        held[entry.name] = entry.version;
    }
    return held;
  }

  /** gRFC A57: a does-not-exist timer runs from sending the request until the resource arrives. */
  private startTimers(stream: XdsStream, typeUrl: string, names: readonly string[]): void {
    const timeout = this.options.doesNotExistTimeoutMs ?? 15_000;
    for (const name of names) {
      const entry = this.cache.get(typeUrl, name);
      if (!entry || entry.stream !== stream || entry.timer || entry.hasValue || entry.status !== 'requested')
        continue;
      entry.timer = setTimeout(() => {
        entry.timer = undefined;
        if (this.cache.get(typeUrl, name) !== entry || entry.status !== 'requested') return;
        entry.status = 'does-not-exist';
        const label = this.types.get(typeUrl)?.resourceLabel ?? typeUrl;
        this.log('info', `${stream.label}: ${label}[${name}] does not exist (no answer in ${timeout} ms)`);
        this.notify.doesNotExist(entry);
      }, timeout);
    }
  }

  /** gRFC A57: stop the timers; only a stream that never got a response is a connectivity error. */
  private onStreamClosed(stream: XdsStream, error: RpcError, hadResponse: boolean): void {
    for (const entry of this.cache.entries()) {
      if (entry.stream !== stream) continue;
      clearTimeout(entry.timer);
      entry.timer = undefined;
      if (!hadResponse) this.notify.error(entry, error);
    }
  }

  /** A new watcher of a known resource catches up with what the others have seen. */
  private replay(entry: CacheEntry, registration: WatchRegistration): void {
    const run = (fn: (w: XdsWatcher<unknown>) => void | Promise<void>) =>
      this.queue.push(() => (registration.active ? fn(registration.watcher) : undefined));
    if (entry.hasValue) {
      const value = entry.value;
      run((w) => w.onUpdate(value));
    } else if (entry.status === 'does-not-exist') run((w) => w.onDoesNotExist());
    if (entry.failure) {
      const f = entry.failure;
      const short = this.types.get(entry.typeUrl)?.shortName ?? entry.typeUrl;
      const error = new RpcError(
        Code.UNAVAILABLE,
        `${entry.stream.label}: NACK ${short} version ${f.version}: ${f.details}`,
      );
      run((w) => w.onError(error));
    }
  }

  private each(entry: CacheEntry, fn: (w: XdsWatcher<unknown>) => void | Promise<void>): void {
    for (const registration of entry.watchers) {
      this.queue.push(() => (registration.active ? fn(registration.watcher) : undefined));
    }
  }
}

function cacheStateOf(e: CacheEntry): XdsCacheState {
  switch (e.status) {
    case 'requested':
      return 'requested';
    case 'does-not-exist':
      return 'does_not_exist';
    case 'acked':
      return 'acked';
    case 'nacked':
      return e.hasValue ? 'nacked_but_cached' : 'nacked';
  }
}
