// The admin API's instance endpoints as the CLI reads them (ADMIN-API.md, "Instances"): every
// endpoint of the registry with its health as clients are sent it, and instances disabled by hand.

import type { DisabledInstance } from '../../registry/instance-health.js';
import type { EndpointHealth } from '../../registry/registry-types.js';

export type { DisabledInstance };

/** One endpoint of a service, as `shoal instance list` shows it. */
export interface InstanceView {
  /** The service's host. */
  service: string;
  servicePort: number;
  /** `IP:PORT` (`[IPv6]:PORT`): what `disable` and `enable` take. */
  address: string;
  /** As clients are sent it: UNHEALTHY when disabled, DRAINING while the instance shuts down. */
  health: EndpointHealth;
  labels: Record<string, string>;
  locality?: string;
  /** Relative load-balancing weight. */
  weight: number;
  /** Interfaces the instance serves. */
  interfaces: string[];
  /** What produced it: `node:<id>` (self-registration), `WorkloadEntry/ns/name`, ... */
  origin: string;
  disabled?: DisabledInstance;
}

/** `GET /api/instances[?service=HOST]` */
export interface InstanceList {
  items: InstanceView[];
  /** Every disabled address, also those no instance has now. */
  disabled: DisabledInstance[];
}

/** `POST /api/instances/disable`: `for` is a duration (`30s`, `10m`, `1h`); without it, until enabled. */
export interface DisableRequest {
  address: string;
  for?: string;
  reason?: string;
}

/** `POST /api/instances/enable` */
export interface EnableRequest {
  address: string;
}

/** The answer to disable and enable: the record, and the instances at that address now. */
export interface InstanceChange {
  disabled?: DisabledInstance;
  enabled?: DisabledInstance;
  instances: InstanceView[];
}
