// Where self-registrations live: the registry's plug-in point for them. The embedded store keeps
// them in this process (saved in the data dir); the etcd store keeps them under etcd leases, shared
// by every control-plane replica. Backends are registered in ../backends/store-backends.ts.
// Istio: WorkloadGroup auto-registration (the connection is the lease, cleanup after a grace period).

import type { LeaseState, RegisteredInstance, RegistrationLease } from './registry-types.js';

export interface RegistrationChange {
  reason: 'registered' | 'deregistered' | 'expired';
  nodeId: string;
  /** Hosts whose endpoints changed (the old and the new host when an instance changed its app). */
  hostnames: string[];
}

export interface RegistrationStore {
  /** Where registrations live, for status lines. */
  readonly description: string;
  /** Strictly increasing with every change; the same after a restart and on every replica. */
  readonly version: number;
  /** Loads the registrations held, then reports every later change (from any replica) to `onChange`. */
  start(onChange: (change: RegistrationChange) => void): Promise<void>;
  /** The instances registered now, those in their grace period included. */
  registrations(): readonly RegisteredInstance[];
  /** How each registration's lease stands, where the store knows it (for the console). */
  leases?(): LeaseState[];
  /**
   * Registers a live client's instance, held until its lease ends and the grace period passes; a
   * second call for the same node id (on this replica or another) takes the registration over.
   */
  register(registration: RegisteredInstance): Promise<RegistrationLease>;
  /** Stops following changes and releases timers and connections (registrations stay in a shared store). */
  close(): Promise<void>;
}
