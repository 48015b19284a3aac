// The admin API's live analysis endpoint (ADMIN-API.md): what is wrong with the running mesh, as
// `istioctl analyze` reports it for a cluster, plus every xDS client's last NACK.

import type { ConfigIssue } from './config.js';
import type { NackInfo } from './xds-clients.js';

/** A client's last NACK of one type. */
export interface NackReport extends NackInfo {
  nodeId: string;
  streamId: number;
  /** The resource type (`LDS`, `RDS`, `CDS`, `EDS`). */
  type: string;
  /** The type's sync state now (`NACKED` while the rejected version is the last sent). */
  state: string;
}

/** `GET /api/analysis`: 200. */
export interface AnalysisAnswer {
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
  nacks: NackReport[];
}
