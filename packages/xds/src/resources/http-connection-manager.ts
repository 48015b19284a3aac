// Envoy's HttpConnectionManager network filter, as gRPC reads it: RDS over ADS (or self) or an
// inline route_config, the HTTP filter chain with the router last, and the default
// max_stream_duration (gRFC A27, A31, A36, A39).

import type { ConfigSource } from '../gen/envoy/config/core/v3/config_source_pb.js';
import { HttpConnectionManagerSchema } from '../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js';
import { at, type Problems, parse } from './decode-result.js';
import { decodeHttpFilters, type HttpFilterRegistry, type XdsHttpFilter } from './http-filters.js';
import { validateRouteConfiguration, type XdsRouteConfiguration } from './route-configuration.js';
import { durationToMs } from './values.js';

/** An HTTP connection manager: where routes come from and which filters run. */
export interface XdsHttpConnectionManager {
  readonly route:
    | { readonly kind: 'rds'; readonly routeConfigName: string }
    | { readonly kind: 'inline'; readonly routeConfig: XdsRouteConfiguration };
  readonly httpFilters: readonly XdsHttpFilter[];
  /** common_http_protocol_options.max_stream_duration: the default for routes without their own. */
  readonly maxStreamDurationMs?: number;
}

/** True when a config source is one gRPC accepts: ads, or self. */
export function isAdsOrSelf(source: ConfigSource | undefined): boolean {
  const c = source?.configSourceSpecifier.case;
  return c === 'ads' || c === 'self';
}

export function decodeHttpConnectionManager(
  bytes: Uint8Array,
  side: 'client' | 'server',
  registry: HttpFilterRegistry,
  path: string,
  problems: Problems,
): XdsHttpConnectionManager | undefined {
  const hcm = parse(HttpConnectionManagerSchema, bytes, path, problems);
  if (!hcm) return undefined;
  const before = problems.errors.length;
  let route: XdsHttpConnectionManager['route'] | undefined;
  const r = hcm.routeSpecifier;
  if (r.case === 'rds') {
    const p = at(path, 'rds');
    if (!isAdsOrSelf(r.value.configSource)) problems.add(at(p, 'config_source'), 'must be ads or self');
    if (r.value.routeConfigName === '') problems.add(at(p, 'route_config_name'), 'must not be empty');
    route = { kind: 'rds', routeConfigName: r.value.routeConfigName };
  } else if (r.case === 'routeConfig') {
    route = {
      kind: 'inline',
      routeConfig: validateRouteConfiguration(r.value, registry, at(path, 'route_config'), problems),
    };
  } else {
    problems.add(path, 'rds or route_config is required');
  }
  // A41: the peer address is the connection's, so nothing may redefine the client address.
  if (hcm.xffNumTrustedHops !== 0) problems.add(at(path, 'xff_num_trusted_hops'), 'must be 0');
  if (hcm.originalIpDetectionExtensions.length > 0) {
    problems.add(at(path, 'original_ip_detection_extensions'), 'must be empty');
  }
  const httpFilters = decodeHttpFilters(hcm.httpFilters, side, registry, at(path, 'http_filters'), problems);
  const maxStreamDurationMs = durationToMs(
    hcm.commonHttpProtocolOptions?.maxStreamDuration,
    at(path, 'common_http_protocol_options.max_stream_duration'),
    problems,
  );
  if (problems.errors.length > before || !route) return undefined;
  return { route, httpFilters, ...(maxStreamDurationMs !== undefined && { maxStreamDurationMs }) };
}
