// Self-registration, the contract both sides of the wire import: the xDS Node metadata keys a
// process announces its instance with, and what it announces (Registration). The mesh writes them
// into its Node (@shoal/mesh withRegistration); the control plane reads them back into a registry
// entry (@shoal/control-plane parseNodeRegistration), and treats the live ADS stream as the
// instance's lease. The locality goes in the Node's own `locality` (locality.ts). Istio's keys
// (NAMESPACE, INSTANCE_IPS, LABELS, SERVICE_ACCOUNT) are part of it, so istiod-style metadata works.
// Documented in packages/control-plane/REGISTRATION.md.
// Istio: pkg/model NodeMetadata, WorkloadGroup auto-registration; Envoy: config.core.v3.Node.

import type { DescService } from '@bufbuild/protobuf';
import type { XdsLocality } from './locality.js';

/** The Node metadata keys, by meaning. */
export const RegistrationKeys = {
  /** Application (host) name: short (`greeter`) or an FQDN (`greeter.example.com`). */
  app: 'SHOAL_APP',
  /** The port the instance serves on (number or numeric string). */
  port: 'SHOAL_PORT',
  /** Interface names this instance serves: a list, or a comma-separated string. */
  services: 'SHOAL_SERVICES',
  /** Labels such as `version`: an object of strings, or that object as a JSON string. */
  labels: 'SHOAL_LABELS',
  /** Load-balancing weight (positive integer; default 1). */
  weight: 'SHOAL_WEIGHT',
  /** The instance is shutting down: `true` (or "true") sends it as DRAINING (no new calls). */
  draining: 'SHOAL_DRAINING',
  /** Istio: the namespace (default `default`). */
  namespace: 'NAMESPACE',
  /** Istio: the instance's IPs, comma-separated; the first is the registered address. */
  instanceIps: 'INSTANCE_IPS',
  /** Istio: the workload's labels (an object of strings). */
  istioLabels: 'LABELS',
  /** Istio: the service account. */
  serviceAccount: 'SERVICE_ACCOUNT',
} as const;

/** What a process announces about its instance. */
export interface Registration {
  /** The application: the host others reach it by (`greeter` → greeter.<namespace>.svc.cluster.local). */
  readonly app: string;
  /** The port the instance serves on. */
  readonly port: number;
  /** The interfaces served: service descriptors (their full names are used) or full names. */
  readonly services?: readonly (DescService | string)[];
  /** Labels such as `version`, used by DestinationRule subsets. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Load-balancing weight of this instance (default 1). */
  readonly weight?: number;
  readonly namespace?: string;
  /** The addresses others dial; the first one is used. */
  readonly instanceIps?: readonly string[];
  /** Where the instance runs (sent as the Node's locality). */
  readonly locality?: Partial<XdsLocality>;
  /** The instance is shutting down: the control plane sends it as DRAINING (no new calls). */
  readonly draining?: boolean;
}
