// CSDS: envoy.service.status.v3.ClientStatusDiscoveryService over @shoal/rpc (gRFC A40): what each
// xDS client has requested and received, resource by resource, with its status (REQUESTED,
// DOES_NOT_EXIST, ACKED, NACKED), version, last update, the raw resource as GenericXdsConfig, and
// the error state of a rejected update.
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Code, RpcError, type Server } from '@shoal/rpc';
import type { XdsResourceSnapshot, XdsResourceStatus } from '../client/resource-cache.js';
import { XdsClient } from '../client/xds-client.js';
import { ClientResourceStatus } from '../gen/envoy/admin/v3/config_dump_shared_pb.js';
import {
  type ClientConfig,
  type ClientConfig_GenericXdsConfig,
  ClientConfig_GenericXdsConfigSchema,
  ClientConfigSchema,
  ClientStatusDiscoveryService,
  type ClientStatusRequest,
  type ClientStatusResponse,
  ClientStatusResponseSchema,
} from '../gen/envoy/service/status/v3/csds_pb.js';

const STATUS: Record<XdsResourceStatus, ClientResourceStatus> = {
  requested: ClientResourceStatus.REQUESTED,
  'does-not-exist': ClientResourceStatus.DOES_NOT_EXIST,
  acked: ClientResourceStatus.ACKED,
  nacked: ClientResourceStatus.NACKED,
};

/** One client's GenericXdsConfig entries, sorted by type URL and name. */
export function genericXdsConfigs(
  snapshots: readonly XdsResourceSnapshot[],
  excludeResourceContents = false,
): ClientConfig_GenericXdsConfig[] {
  return [...snapshots]
    .sort((a, b) => a.typeUrl.localeCompare(b.typeUrl) || a.name.localeCompare(b.name))
    .map((s) =>
      create(ClientConfig_GenericXdsConfigSchema, {
        typeUrl: s.typeUrl,
        name: s.name,
        versionInfo: s.version,
        clientStatus: STATUS[s.status],
        ...(s.raw && !excludeResourceContents && { xdsConfig: s.raw }),
        ...(s.lastUpdated && { lastUpdated: timestampFromDate(s.lastUpdated) }),
        ...(s.failure && {
          errorState: {
            details: s.failure.details,
            versionInfo: s.failure.version,
            lastUpdateAttempt: timestampFromDate(s.failure.at),
            ...(s.failure.raw && !excludeResourceContents && { failedConfiguration: s.failure.raw }),
          },
        }),
      }),
    );
}

/** The CSDS answer for `clients` (one ClientConfig each, `client_scope` as given). */
export function clientStatus(
  clients: readonly { client: XdsClient; scope?: string }[],
  request: ClientStatusRequest,
): ClientStatusResponse {
  if (request.nodeMatchers.length > 0) {
    // As gRPC: a client knows only its own node, so matchers have nothing to select.
    throw new RpcError(Code.INVALID_ARGUMENT, 'CSDS: node_matchers are not supported');
  }
  const config: ClientConfig[] = clients.map(({ client, scope }) =>
    create(ClientConfigSchema, {
      node: client.node,
      genericXdsConfigs: genericXdsConfigs(client.dump(), request.excludeResourceContents),
      clientScope: scope ?? '',
    }),
  );
  return create(ClientStatusResponseSchema, { config });
}

/**
 * Serves CSDS for `clients` on `server` (e.g. an app's admin port). Several clients are told apart
 * by their scope (gRFC A71 `client_scope`), e.g. the xDS target they serve.
 */
export function registerCsds(
  server: Server,
  clients: XdsClient | readonly (XdsClient | { client: XdsClient; scope: string })[],
): Server {
  const list = (clients instanceof XdsClient ? [clients] : clients).map((c) =>
    c instanceof XdsClient ? { client: c } : c,
  );
  return server.register(ClientStatusDiscoveryService, {
    fetchClientStatus: (request) => clientStatus(list, request),
    async *streamClientStatus(requests) {
      for await (const request of requests) yield clientStatus(list, request);
    },
  });
}
