// One complete, immutable view of the xDS config for one target (the gRFC A74 idea): the client
// Listener, its RouteConfiguration, the virtual host chosen for the target's authority with its
// compiled route table, and every cluster those routes reference with its endpoints. A snapshot is
// only built once all of it has arrived (or is known not to exist), and replaces the previous one
// in a single assignment, so no call ever sees half of an update.

import type { XdsCluster, XdsClusterLoadAssignment, XdsRouteConfiguration } from '@shoal/xds/client';
import type { XdsHttpFilter, XdsVirtualHost } from '@shoal/xds/plugins';
import type { MeshEndpoint } from '../lb/endpoint.js';
import type { RouteTable } from '../routing/route-table.js';

/** A cluster the routes reference, with what is known about it. */
export type ClusterConfig =
  | {
      readonly status: 'ok';
      readonly name: string;
      readonly cluster: XdsCluster;
      /** Every endpoint, in EDS order (unusable ones included; pickers filter by health). */
      readonly endpoints: readonly MeshEndpoint[];
      /** The assignment the endpoints came from (undefined for LOGICAL_DNS clusters). */
      readonly assignment: XdsClusterLoadAssignment | undefined;
    }
  | {
      /** Calls routed here fail with UNAVAILABLE and `reason`. */
      readonly status: 'unavailable';
      readonly name: string;
      readonly reason: string;
    };

/**
 * One complete snapshot of a target's config: listener, route configuration and every cluster with its
 * endpoints.
 */
export interface MeshConfig {
  /** Counts published snapshots of one dependency manager, from 1. */
  readonly version: number;
  readonly listenerName: string;
  /** The authority virtual hosts were matched against. */
  readonly authority: string;
  readonly routeConfig: XdsRouteConfiguration;
  /** Undefined when no virtual host matches the authority: every call then fails UNAVAILABLE. */
  readonly virtualHost: XdsVirtualHost | undefined;
  readonly routeTable: RouteTable | undefined;
  /** The listener's HTTP filters (router last). */
  readonly httpFilters: readonly XdsHttpFilter[];
  /** The listener's default max_stream_duration (routes may set their own). */
  readonly maxStreamDurationMs: number | undefined;
  readonly clusters: ReadonlyMap<string, ClusterConfig>;
}

/** What a dependency manager publishes: a new snapshot, or why there is none to use. */
export type MeshConfigUpdate =
  | { readonly kind: 'config'; readonly config: MeshConfig }
  | {
      readonly kind: 'error';
      /** Human-readable, naming the resource (e.g. `listener "greeter:50051" does not exist`). */
      readonly message: string;
      /** True when the last good snapshot must no longer be used (the listener or its routes are gone). */
      readonly fatal: boolean;
    };
