// The admin API's xDS client endpoints (ADMIN-API.md, "Status and xDS clients"): what each live
// ADS stream subscribed to, was sent and ACKed (`shoal proxy-status`), and what it was sent
// (`shoal proxy-config`). Istio: istiod's /debug/syncz and /debug/config_dump.

import type { JsonObject } from '@bufbuild/protobuf';
import type { ClientStatus, NackInfo, SyncState, TypeStatus } from '../../xds-server/client-status.js';
import type { ShortType } from '../../xds-server/type-names.js';

export type { ClientStatus, NackInfo, ShortType, SyncState, TypeStatus };

/** `GET /debug/syncz`: 200, one status per live ADS stream. */
export interface SynczAnswer {
  clients: ClientStatus[];
}

/** One resource a client was sent (SotW) or holds (delta). */
export interface DumpedResource {
  name: string;
  /** Content fingerprint: equal versions mean equal resources. */
  version: string;
  typeUrl: string;
  /** The resource in protobuf JSON (Envoy's field names in lowerCamelCase). */
  resource: JsonObject;
}

/** `GET /debug/config_dump?proxy=NODE_ID`: 200 (404 when no such client is connected). */
export interface ConfigDumpAnswer {
  proxy: string;
  /** The node's live streams, newest first. */
  streams: { status: ClientStatus; resources: Partial<Record<ShortType, DumpedResource[]>> }[];
}
