// The admin API's live events (ADMIN-API.md): `GET /api/events` as server-sent events, each event
// name with the JSON its data carries.

import type { RegistryEvent } from '../../registry/registry-types.js';
import type { AppliedChange } from './config.js';
import type { StatusAnswer } from './status.js';
import type { TrafficReport } from './traffic.js';
import type { SynczAnswer } from './xds-clients.js';

/** A config change as it happens. */
export interface ConfigChangeEvent {
  /** The store's version after the change. */
  version: number;
  source?: string;
  changes: AppliedChange[];
}

/** A registry change as it happens. */
export type RegistryChangeEvent = Pick<RegistryEvent, 'version' | 'reason' | 'hostnames'>;

/** Event name → its data. */
export interface AdminEvents {
  status: StatusAnswer;
  clients: SynczAnswer;
  traffic: TrafficReport;
  config: ConfigChangeEvent;
  registry: RegistryChangeEvent;
}
