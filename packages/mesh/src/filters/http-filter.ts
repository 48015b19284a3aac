// HTTP filters as plug-ins (gRFC A39; grpc-go's httpfilter package). A filter type reads its
// config and its per-route override (the parse half, @shoal/xds's HttpFilterType, run when a
// Listener or RouteConfiguration is decoded, so a bad config NACKs the resource) and builds what
// runs per call: a client interceptor and/or a server interceptor, once per route with the
// override that applies there (filter-chain.ts). The mesh client and the xDS-enabled server each
// own a registry of plug-ins, filled in one visible place (http-filter-registry.ts and
// ../server/server-filter-registry.ts); nothing else in the mesh knows a filter's type URL.

import type { CallRequest, CallResponse } from '@shoal/rpc/client';
import type { MeshMetrics } from '@shoal/telemetry/plugins';
import type { HttpFilterRegistry, HttpFilterType } from '@shoal/xds/plugins';
import type { Clock } from '../support/clock.js';
import type { Random } from '../support/random-source.js';

/** What a filter's interceptor sees of one call. */
export interface FilterCall {
  /** The request; an interceptor may change its header before calling next. */
  readonly request: CallRequest;
  /** `/package.Service/Method`. */
  readonly path: string;
  /** Adds a step to the call's routing decision (client: CallDecision.why; a server ignores it). */
  note(step: string): void;
}

/**
 * One filter's work on a call: call `next` to go on down the chain (the router last), or answer
 * or fail the call without it. Built once per route and run per call, so it keeps no call state.
 */
export type FilterInterceptor = (
  call: FilterCall,
  next: () => Promise<CallResponse>,
) => Promise<CallResponse>;

/** What a plug-in gets to build an interceptor with. */
export interface FilterContext {
  /** The filter's name in its chain (http_filters[].name), for errors and decision steps. */
  readonly name: string;
  readonly clock: Clock;
  readonly random: Random;
  /** Client side: the cluster the route's calls go to (the weighted cluster drawn), for metrics. */
  readonly cluster?: string;
  /** The mesh's counters, when telemetry is on. */
  readonly metrics?: MeshMetrics | undefined;
}

/** What an xDS-enabled server knows about where it listens. */
export interface ServerFacts {
  /** The local IP, when the listener is bound to one (not a wildcard). */
  readonly localIp: string | undefined;
  readonly localPort: number;
}

/** What a filter sees when it builds a server interceptor: the client-side context and the server's facts. */
export interface ServerFilterContext extends FilterContext {
  readonly server: ServerFacts;
}

/**
 * An HTTP filter plug-in. `config` is what its parseConfig returned, `override` what its
 * parseOverride returned for the most specific level that has one (A39), or undefined. A builder
 * returns undefined when the filter has nothing to do on that route (the router, a fault filter
 * with neither delay nor abort). A side without a builder lets calls through.
 */
export interface HttpFilterPlugin extends HttpFilterType {
  buildClientInterceptor?(
    config: unknown,
    override: unknown,
    context: FilterContext,
  ): FilterInterceptor | undefined;
  buildServerInterceptor?(
    config: unknown,
    override: unknown,
    context: ServerFilterContext,
  ): FilterInterceptor | undefined;
}

/** A registry of plug-ins; it is also what @shoal/xds decodes Listeners and routes with. */
export type HttpFilterPlugins = HttpFilterRegistry<HttpFilterPlugin>;
