// The Node an xDS client identifies itself with on the first request of every ADS stream
// (Envoy core.v3.Node; gRFC A27: id, cluster, metadata and locality from the bootstrap, plus
// user_agent_name, user_agent_version and client_features).
import { create } from '@bufbuild/protobuf';
import type { XdsBootstrap } from '../bootstrap.js';
import { type Node, NodeSchema } from '../gen/envoy/config/core/v3/base_pb.js';

export const USER_AGENT_NAME = 'shoal-node';
export const USER_AGENT_VERSION = '0.1.0';

/**
 * Client features Shoal supports, announced to the control plane: resources wrapped in
 * envoy.service.discovery.v3.Resource in state-of-the-world responses.
 */
export const CLIENT_FEATURES = ['xds.config.resource-in-sotw'];

export interface NodeOptions {
  readonly userAgentName?: string;
  readonly userAgentVersion?: string;
  /** Added to {@link CLIENT_FEATURES}. */
  readonly clientFeatures?: readonly string[];
}

export function buildNode(bootstrap: XdsBootstrap, options: NodeOptions = {}): Node {
  const { node } = bootstrap;
  return create(NodeSchema, {
    id: node.id,
    cluster: node.cluster,
    metadata: node.metadata,
    locality: { region: node.locality.region, zone: node.locality.zone, subZone: node.locality.subZone },
    userAgentName: options.userAgentName ?? USER_AGENT_NAME,
    userAgentVersionType: { case: 'userAgentVersion', value: options.userAgentVersion ?? USER_AGENT_VERSION },
    clientFeatures: [...new Set([...CLIENT_FEATURES, ...(options.clientFeatures ?? [])])],
  });
}
