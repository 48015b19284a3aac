// Envoy v3 xDS messages (Shoal's own subset, generated from packages/xds/proto): the schemas a
// control plane or a test uses to create() and toBinary() resources. Re-exported as `envoy`.
export * from './gen/envoy/admin/v3/config_dump_shared_pb.js';
export * from './gen/envoy/config/cluster/v3/circuit_breaker_pb.js';
export * from './gen/envoy/config/cluster/v3/cluster_pb.js';
export * from './gen/envoy/config/cluster/v3/outlier_detection_pb.js';
export * from './gen/envoy/config/core/v3/address_pb.js';
export * from './gen/envoy/config/core/v3/base_pb.js';
export * from './gen/envoy/config/core/v3/config_source_pb.js';
export * from './gen/envoy/config/core/v3/extension_pb.js';
export * from './gen/envoy/config/core/v3/grpc_service_pb.js';
export * from './gen/envoy/config/core/v3/health_check_pb.js';
export * from './gen/envoy/config/core/v3/protocol_pb.js';
export * from './gen/envoy/config/endpoint/v3/endpoint_components_pb.js';
export * from './gen/envoy/config/endpoint/v3/endpoint_pb.js';
export * from './gen/envoy/config/endpoint/v3/load_report_pb.js';
export * from './gen/envoy/config/listener/v3/api_listener_pb.js';
export * from './gen/envoy/config/listener/v3/listener_components_pb.js';
export * from './gen/envoy/config/listener/v3/listener_pb.js';
export * from './gen/envoy/config/rbac/v3/rbac_pb.js';
export * from './gen/envoy/config/route/v3/route_components_pb.js';
export * from './gen/envoy/config/route/v3/route_pb.js';
export * from './gen/envoy/extensions/clusters/aggregate/v3/cluster_pb.js';
export * from './gen/envoy/extensions/filters/common/fault/v3/fault_pb.js';
export * from './gen/envoy/extensions/filters/http/cors/v3/cors_pb.js';
export * from './gen/envoy/extensions/filters/http/fault/v3/fault_pb.js';
// Names Envoy uses in more than one package get the filter's or the extension's prefix.
export {
  type FilterConfig as GrpcStatsFilterConfig,
  FilterConfigSchema as GrpcStatsFilterConfigSchema,
  file_envoy_extensions_filters_http_grpc_stats_v3_config,
} from './gen/envoy/extensions/filters/http/grpc_stats/v3/config_pb.js';
// The RBAC filter's messages share their names with envoy.config.rbac.v3's, hence the aliases.
export {
  file_envoy_extensions_filters_http_rbac_v3_rbac,
  type RBAC as RbacFilter,
  type RBACPerRoute as RbacFilterPerRoute,
  RBACPerRouteSchema as RbacFilterPerRouteSchema,
  RBACSchema as RbacFilterSchema,
} from './gen/envoy/extensions/filters/http/rbac/v3/rbac_pb.js';
export * from './gen/envoy/extensions/filters/http/router/v3/router_pb.js';
export * from './gen/envoy/extensions/filters/listener/http_inspector/v3/http_inspector_pb.js';
export * from './gen/envoy/extensions/filters/listener/original_dst/v3/original_dst_pb.js';
export * from './gen/envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector_pb.js';
export * from './gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js';
export {
  file_envoy_extensions_filters_network_rbac_v3_rbac,
  type RBAC as RbacNetworkFilter,
  RBACSchema as RbacNetworkFilterSchema,
} from './gen/envoy/extensions/filters/network/rbac/v3/rbac_pb.js';
export * from './gen/envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy_pb.js';
export * from './gen/envoy/extensions/load_balancing_policies/least_request/v3/least_request_pb.js';
export * from './gen/envoy/extensions/load_balancing_policies/maglev/v3/maglev_pb.js';
export * from './gen/envoy/extensions/load_balancing_policies/pick_first/v3/pick_first_pb.js';
export * from './gen/envoy/extensions/load_balancing_policies/random/v3/random_pb.js';
export * from './gen/envoy/extensions/load_balancing_policies/ring_hash/v3/ring_hash_pb.js';
export * from './gen/envoy/extensions/load_balancing_policies/round_robin/v3/round_robin_pb.js';
export * from './gen/envoy/extensions/load_balancing_policies/wrr_locality/v3/wrr_locality_pb.js';
export * from './gen/envoy/extensions/transport_sockets/raw_buffer/v3/raw_buffer_pb.js';
export * from './gen/envoy/extensions/transport_sockets/tls/v3/common_pb.js';
export * from './gen/envoy/extensions/transport_sockets/tls/v3/secret_pb.js';
export * from './gen/envoy/extensions/transport_sockets/tls/v3/tls_pb.js';
export {
  file_envoy_extensions_upstreams_http_v3_http_protocol_options,
  type HttpProtocolOptions as UpstreamHttpProtocolOptions,
  type HttpProtocolOptions_ExplicitHttpConfig as UpstreamHttpProtocolOptions_ExplicitHttpConfig,
  HttpProtocolOptions_ExplicitHttpConfigSchema as UpstreamHttpProtocolOptions_ExplicitHttpConfigSchema,
  type HttpProtocolOptions_UseDownstreamHttpConfig as UpstreamHttpProtocolOptions_UseDownstreamHttpConfig,
  HttpProtocolOptions_UseDownstreamHttpConfigSchema as UpstreamHttpProtocolOptions_UseDownstreamHttpConfigSchema,
  HttpProtocolOptionsSchema as UpstreamHttpProtocolOptionsSchema,
} from './gen/envoy/extensions/upstreams/http/v3/http_protocol_options_pb.js';
export * from './gen/envoy/service/discovery/v3/ads_pb.js';
export * from './gen/envoy/service/discovery/v3/discovery_pb.js';
export * from './gen/envoy/service/load_stats/v3/lrs_pb.js';
export * from './gen/envoy/service/secret/v3/sds_pb.js';
export * from './gen/envoy/service/status/v3/csds_pb.js';
export * from './gen/envoy/type/matcher/v3/metadata_pb.js';
export * from './gen/envoy/type/matcher/v3/node_pb.js';
export * from './gen/envoy/type/matcher/v3/path_pb.js';
export * from './gen/envoy/type/matcher/v3/regex_pb.js';
export * from './gen/envoy/type/matcher/v3/string_pb.js';
export * from './gen/envoy/type/v3/percent_pb.js';
export * from './gen/envoy/type/v3/range_pb.js';
export * from './gen/google/api/expr/v1alpha1/checked_pb.js';
export * from './gen/google/api/expr/v1alpha1/syntax_pb.js';
export * from './gen/google/rpc/status_pb.js';
