// The xDS dependency manager (gRFC A74; the resolver side of gRFC A27/A28): for one target it
// watches the client Listener, the RouteConfiguration it names (RDS) or carries inline, every
// Cluster the chosen virtual host's routes reference, and each EDS cluster's
// ClusterLoadAssignment. It publishes a MeshConfig only when all of that is complete, each piece
// received or known not to exist, so callers switch from one complete config to the next.
//
// Aggregate clusters (gRFC A37) are followed to their leaves, whose endpoints are stacked by priority.
// Errors keep the last good config: a NACK or a lost stream changes nothing already received. A
// Listener or RouteConfiguration that does not exist makes every call fail (a fatal update); a
// Cluster that does not exist fails only the calls routed to it; an EDS resource that does not
// exist leaves its cluster without endpoints.

import {
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
  CLUSTER_TYPE_URL,
  LISTENER_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
  type XdsCluster,
  type XdsClusterLoadAssignment,
  type XdsListener,
  type XdsRouteConfiguration,
} from '@shoal/xds/client';
import type { XdsVirtualHost } from '@shoal/xds/plugins';
import { createEndpoint, type MeshEndpoint } from '../lb/endpoint.js';
import { selectVirtualHost } from '../routing/domain-match.js';
import { RouteTable } from '../routing/route-table.js';
import { aggregateLeaves, clusterClosure, stackPriorities } from './aggregate-cluster.js';
import { endpointsFromAssignment } from './endpoints.js';
import type { ClusterConfig, MeshConfig, MeshConfigUpdate } from './mesh-config.js';
import type { ResourceWatcherSource } from './watch-source.js';

/** Where an XdsDependencyManager watches resources, which listener, and who receives each snapshot. */
export interface DependencyManagerOptions {
  readonly source: ResourceWatcherSource;
  /** The client Listener to watch: `host:port` as dialled, or an interface name. */
  readonly listenerName: string;
  /** Matched against virtual host domains; defaults to the listener name. */
  readonly authority?: string;
  /** Receives every complete snapshot and every error that callers must know about. */
  readonly onUpdate: (update: MeshConfigUpdate) => void;
}

/** What is known of one watched resource. */
interface Slot<T> {
  value: T | undefined;
  missing: boolean;
  error: string | undefined;
  cancel: () => void;
}

function emptySlot<T>(): Slot<T> {
  return { value: undefined, missing: false, error: undefined, cancel: () => {} };
}

/**
 * Watches LDS → RDS → CDS → EDS for one target and publishes one complete, immutable MeshConfig each time the
 * set is whole (gRFC A74).
 */
export class XdsDependencyManager {
  private readonly source: ResourceWatcherSource;
  private readonly listenerName: string;
  private readonly authority: string;
  private readonly onUpdate: (update: MeshConfigUpdate) => void;
  private readonly listener: Slot<XdsListener>;
  private rds: { readonly name: string; readonly slot: Slot<XdsRouteConfiguration> } | undefined;
  private readonly clusters = new Map<string, Slot<XdsCluster>>();
  private readonly assignments = new Map<string, Slot<XdsClusterLoadAssignment>>();
  private version = 0;
  private dirty = true;
  private closed = false;
  private refreshing = false;
  private refreshAgain = false;
  private published: MeshConfig | undefined;
  private lastFatal: string | undefined;
  private tableCache: { vh: XdsVirtualHost; table: RouteTable } | undefined;

  constructor(options: DependencyManagerOptions) {
    this.source = options.source;
    this.listenerName = options.listenerName;
    this.authority = options.authority ?? options.listenerName;
    this.onUpdate = options.onUpdate;
    // Slots are in place before watching: a source may answer synchronously from its cache.
    this.listener = emptySlot();
    this.watch(LISTENER_TYPE_URL, this.listenerName, this.listener, () => this.onListenerChange());
  }

  /** The last snapshot published, if any. */
  get config(): MeshConfig | undefined {
    return this.published;
  }

  /** Per resource: received, missing, or failing, for debugging (`shoal` shows it). */
  status(): { typeUrl: string; name: string; state: 'received' | 'missing' | 'waiting'; error?: string }[] {
    const row = (typeUrl: string, name: string, s: Slot<unknown>) => ({
      typeUrl,
      name,
      state:
        s.value !== undefined
          ? ('received' as const)
          : s.missing
            ? ('missing' as const)
            : ('waiting' as const),
      ...(s.error !== undefined && { error: s.error }),
    });
    return [
      row(LISTENER_TYPE_URL, this.listenerName, this.listener),
      ...(this.rds ? [row(ROUTE_CONFIGURATION_TYPE_URL, this.rds.name, this.rds.slot)] : []),
      ...[...this.clusters].map(([n, s]) => row(CLUSTER_TYPE_URL, n, s)),
      ...[...this.assignments].map(([n, s]) => row(CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, n, s)),
    ];
  }

  /** Cancels every watch; nothing is published afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.listener.cancel();
    this.rds?.slot.cancel();
    for (const s of this.clusters.values()) s.cancel();
    for (const s of this.assignments.values()) s.cancel();
    this.clusters.clear();
    this.assignments.clear();
  }

  private watch<T>(typeUrl: string, name: string, slot: Slot<T>, changed: () => void): void {
    let active = true;
    const cancel = this.source.watch<T>(typeUrl, name, {
      onUpdate: (value) => {
        if (!active || this.closed) return;
        slot.value = value;
        slot.missing = false;
        slot.error = undefined;
        this.dirty = true;
        changed();
      },
      onError: (error) => {
        if (!active || this.closed) return;
        slot.error = error.message;
        // Only matters while nothing usable has arrived; otherwise the last good value stands.
        if (this.published === undefined && slot.value === undefined)
          this.emit({
            kind: 'error',
            message: `${kindOf(typeUrl)} ${JSON.stringify(name)}: ${error.message}`,
            fatal: false,
          });
      },
      onDoesNotExist: () => {
        if (!active || this.closed) return;
        slot.value = undefined;
        slot.missing = true;
        this.dirty = true;
        changed();
      },
    });
    slot.cancel = () => {
      active = false;
      cancel();
    };
  }

  private onListenerChange(): void {
    const l = this.listener.value;
    const http = l?.kind === 'client' ? l.http : undefined;
    const rdsName = http?.route.kind === 'rds' ? http.route.routeConfigName : undefined;
    if (this.rds && this.rds.name !== rdsName) {
      this.rds.slot.cancel();
      this.rds = undefined;
    }
    if (rdsName !== undefined && this.rds === undefined) {
      const slot = emptySlot<XdsRouteConfiguration>();
      this.rds = { name: rdsName, slot };
      this.watch(ROUTE_CONFIGURATION_TYPE_URL, rdsName, slot, () => this.refresh());
    }
    this.refresh();
  }

  /** Re-derives what to watch and publishes when complete; re-entrant calls are folded into one loop. */
  private refresh(): void {
    if (this.closed) return;
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = true;
    try {
      do {
        this.refreshAgain = false;
        this.refreshOnce();
      } while (this.refreshAgain && !this.closed);
    } finally {
      this.refreshing = false;
    }
  }

  private refreshOnce(): undefined {
    const l = this.listener;
    if (l.missing) return this.fatal(`listener ${JSON.stringify(this.listenerName)} does not exist`);
    if (l.value === undefined) return;
    if (l.value.kind !== 'client')
      return this.fatal(
        `listener ${JSON.stringify(this.listenerName)} is a server listener, not an api_listener`,
      );
    const http = l.value.http;
    let routeConfig: XdsRouteConfiguration | undefined;
    if (http.route.kind === 'inline') routeConfig = http.route.routeConfig;
    else if (this.rds?.slot.missing)
      return this.fatal(`route configuration ${JSON.stringify(this.rds.name)} does not exist`);
    else routeConfig = this.rds?.slot.value;
    if (routeConfig === undefined) return;

    const vh = selectVirtualHost(routeConfig.virtualHosts, this.authority);
    const roots = new Set<string>();
    if (vh)
      for (const r of vh.routes) {
        if (r.action.kind !== 'route') continue;
        for (const c of r.action.clusters) roots.add(c.name);
        // Mirror clusters are watched too (route-mirror.ts shadows calls to them).
        for (const m of r.action.mirrors) roots.add(m.cluster);
      }
    // Aggregate clusters (A37) bring their children in, as far as they are known so far.
    const wanted = clusterClosure(roots, (n) => this.clusters.get(n)?.value);
    this.syncWatches(this.clusters, wanted, CLUSTER_TYPE_URL);
    if (this.refreshAgain) return;
    const wantedEds = new Set<string>();
    for (const name of wanted) {
      const c = this.clusters.get(name)?.value;
      if (c?.discovery.type === 'eds') wantedEds.add(c.discovery.serviceName);
    }
    this.syncWatches(this.assignments, wantedEds, CLUSTER_LOAD_ASSIGNMENT_TYPE_URL);
    if (this.refreshAgain) return;

    // Complete when every cluster and every assignment is received or known missing.
    for (const name of wanted) {
      const s = this.clusters.get(name)!;
      if (s.value === undefined && !s.missing) return;
    }
    for (const name of wantedEds) {
      const s = this.assignments.get(name)!;
      if (s.value === undefined && !s.missing) return;
    }
    if (!this.dirty && this.lastFatal === undefined) return;
    this.publish(routeConfig, vh, roots, http.httpFilters, http.maxStreamDurationMs);
  }

  private syncWatches<T>(slots: Map<string, Slot<T>>, wanted: ReadonlySet<string>, typeUrl: string): void {
    for (const [name, slot] of slots) {
      if (wanted.has(name)) continue;
      slot.cancel();
      slots.delete(name);
    }
    for (const name of wanted) {
      if (slots.has(name)) continue;
      const slot = emptySlot<T>();
      slots.set(name, slot);
      this.watch(typeUrl, name, slot, () => this.refresh());
    }
  }

  private publish(
    routeConfig: XdsRouteConfiguration,
    vh: XdsVirtualHost | undefined,
    wanted: ReadonlySet<string>,
    httpFilters: MeshConfig['httpFilters'],
    maxStreamDurationMs: number | undefined,
  ): void {
    const clusters = new Map<string, ClusterConfig>();
    for (const name of wanted) clusters.set(name, this.clusterConfig(name));
    let routeTable: RouteTable | undefined;
    if (vh) {
      if (this.tableCache?.vh !== vh) this.tableCache = { vh, table: new RouteTable(vh) };
      routeTable = this.tableCache.table;
    }
    const config: MeshConfig = Object.freeze({
      version: ++this.version,
      listenerName: this.listenerName,
      authority: this.authority,
      routeConfig,
      virtualHost: vh,
      routeTable,
      httpFilters,
      maxStreamDurationMs,
      clusters,
    });
    this.dirty = false;
    this.lastFatal = undefined;
    this.published = config;
    this.emit({ kind: 'config', config });
  }

  private clusterConfig(name: string): ClusterConfig {
    const s = this.clusters.get(name)!;
    const c = s.value;
    if (c === undefined)
      return { status: 'unavailable', name, reason: `cluster ${JSON.stringify(name)} does not exist` };
    const d = c.discovery;
    if (d.type === 'logical_dns') {
      return {
        status: 'ok',
        name,
        cluster: c,
        endpoints: logicalDnsEndpoint(d.host, d.port),
        assignment: undefined,
      };
    }
    if (d.type === 'aggregate') {
      const lookup = (n: string) => this.clusters.get(n)?.value;
      const tree = aggregateLeaves(name, lookup);
      if ('error' in tree) return { status: 'unavailable', name, reason: tree.error };
      const perLeaf = tree.leaves.map((leaf) => {
        const c = this.clusterConfig(leaf);
        return c.status === 'ok' ? c.endpoints : [];
      });
      return { status: 'ok', name, cluster: c, endpoints: stackPriorities(perLeaf), assignment: undefined };
    }
    const a = this.assignments.get(d.serviceName)!;
    if (a.value === undefined)
      return { status: 'ok', name, cluster: c, endpoints: [], assignment: undefined };
    try {
      return {
        status: 'ok',
        name,
        cluster: c,
        endpoints: endpointsFromAssignment(a.value),
        assignment: a.value,
      };
    } catch (err) {
      return {
        status: 'unavailable',
        name,
        reason: `cluster ${JSON.stringify(name)}: ${(err as Error).message}`,
      };
    }
  }

  private fatal(message: string): undefined {
    if (this.lastFatal === message) return;
    this.lastFatal = message;
    this.published = undefined;
    this.dirty = true;
    this.emit({ kind: 'error', message, fatal: true });
  }

  private emit(update: MeshConfigUpdate): void {
    if (!this.closed) this.onUpdate(update);
  }
}

function kindOf(typeUrl: string): string {
  switch (typeUrl) {
    case LISTENER_TYPE_URL:
      return 'listener';
    case ROUTE_CONFIGURATION_TYPE_URL:
      return 'route configuration';
    case CLUSTER_TYPE_URL:
      return 'cluster';
    default:
      return 'endpoints';
  }
}

/** A LOGICAL_DNS cluster's one endpoint: the host name, resolved when connecting (gRFC A37). */
function logicalDnsEndpoint(host: string, port: number): MeshEndpoint[] {
  return [createEndpoint({ address: host, port }, 'logical_dns')];
}
