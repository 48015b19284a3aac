// The service registry's model and interface: services by host with their ports, and endpoints
// (instances) with address, port, labels, locality, weight, health and the interfaces they serve.
// Istio: model.Service / model.IstioEndpoint; Dubbo: interface-level service discovery.
//
// Reads are synchronous views of the registry's current state; a backend that lives elsewhere
// (etcd, Kubernetes) keeps a local cache fed by its watch and answers from it. Writes and the
// lifecycle (`start`, `register`, `close`) are async so such backends fit the same interface.

/** A port of a service. */
export interface RegistryServicePort {
  /** Port name (`grpc`, `http`, ...). */
  name: string;
  number: number;
  /** Istio protocol name (`GRPC`, `HTTP`, `HTTP2`, `TCP`, ...), when known. */
  protocol?: string;
  /** Port the workloads listen on when it differs from `number`. */
  targetPort?: number;
}

/** Which input a service or endpoint came from. */
export type ServiceSource = 'ServiceEntry' | 'Service' | 'WorkloadEntry' | 'registration' | 'zookeeper';

/** A service the registry knows: its host, ports, the interfaces it serves and where it came from. */
export interface RegistryService {
  /** Fully qualified host (`reviews.default.svc.cluster.local`, `api.example.com`). */
  hostname: string;
  namespace: string;
  ports: RegistryServicePort[];
  /** Interfaces (`greet.v1.GreeterService`) this host serves, for interface-level discovery. */
  interfaces: string[];
  /** Where the service is defined. */
  source: ServiceSource;
  /** ServiceEntry resolution (`STATIC` for registered and Kubernetes services). */
  resolution: 'NONE' | 'STATIC' | 'DNS' | 'DNS_ROUND_ROBIN';
  /** Virtual IPs or CIDRs from a ServiceEntry's `addresses`. */
  addresses?: string[];
}

/** The health an endpoint is published with in EDS. */
export type EndpointHealth = 'HEALTHY' | 'UNHEALTHY' | 'DRAINING';

/** One instance of a service: address, port, labels, locality, weight and health. */
export interface RegistryEndpoint {
  /** The host this endpoint serves. */
  hostname: string;
  /** The service port this endpoint backs. */
  servicePort: number;
  /** IP, host name (DNS resolution) or `unix://` path, and port to dial. */
  address: string;
  port: number;
  labels: Record<string, string>;
  /** `region/zone/subzone`; parts may be empty. */
  locality?: string;
  /** Relative load-balancing weight (default 1). */
  weight: number;
  health: EndpointHealth;
  /** Interfaces this instance serves. */
  interfaces: string[];
  /** What produced it: `WorkloadEntry/ns/name`, `ServiceEntry/ns/name[i]`, `node:<id>`. */
  origin: string;
  namespace: string;
  serviceAccount?: string;
}

/** Where to dial an interface: the host and service port that serve it. */
export interface InterfaceTarget {
  interface: string;
  hostname: string;
  namespace: string;
  port: number;
}

/**
 * A live xDS client's instance as the registry holds it: the Registration its Node announces
 * (@shoal/xds, read by node-registration.ts), its app resolved to a host and its address chosen.
 */
export interface RegisteredInstance {
  /** The xDS node id; one registration per node id. */
  nodeId: string;
  /** The application as announced (`greeter`, `greeter.example.com`). */
  app: string;
  namespace: string;
  /** `app` resolved to an FQDN (short names expand like istiod's). */
  hostname: string;
  address: string;
  port: number;
  interfaces: string[];
  labels: Record<string, string>;
  locality?: string;
  weight: number;
  serviceAccount?: string;
  /** The instance is shutting down (SHOAL_DRAINING): its endpoint is DRAINING, not HEALTHY. */
  draining?: boolean;
}

/** The handle of one registration, held by whoever owns the client's stream. */
export interface RegistrationLease {
  readonly nodeId: string;
  /** The stream ended: the instance is removed after the registry's grace period unless it re-registers. */
  end(): void;
  /** Remove the instance now. */
  remove(): void;
}

/** How one registration's lease stands: when it began, and whether its stream still lives. */
export interface LeaseState {
  nodeId: string;
  /** When the instance (last) registered, epoch ms. */
  registeredAt: number;
  /** When its stream ended, epoch ms: it stays registered until `expiresAt` unless it re-registers. */
  endedAt?: number;
  expiresAt?: number;
}

/** A change of the registry's view. */
export interface RegistryEvent {
  /** Strictly increasing with every change of the registry's view. */
  version: number;
  /**
   * `source`: a discovery source (Kubernetes, ZooKeeper) changed.
   * `health`: an instance was disabled or enabled, by hand or by a rule (instance-health.ts).
   */
  reason: 'config' | 'registered' | 'deregistered' | 'expired' | 'source' | 'health';
  /** Node id for registration changes. */
  nodeId?: string;
  /** Hosts whose service or endpoints changed, so a server can push only to the clients that watch them. */
  hostnames: string[];
}

/** Called after each change of the registry's view. */
export type RegistryListener = (event: RegistryEvent) => void;

/**
 * The registry's contract. A registry may be fed from elsewhere (registrations in etcd, Kubernetes),
 * so `start` loads and follows those before the control plane serves.
 */
export interface Registry {
  /** Strictly increasing with every change of the view. */
  readonly version: number;
  /** Loads what the registry's backends hold and follows their changes. Safe to call more than once. */
  start(): Promise<void>;
  services(): readonly RegistryService[];
  service(hostname: string): RegistryService | undefined;
  /** Endpoints of one host (and service port), or all endpoints. */
  endpoints(hostname?: string, servicePort?: number): readonly RegistryEndpoint[];
  /** Interface-level discovery: which hosts and ports serve `name`. */
  resolveInterface(name: string): InterfaceTarget[];
  /** Every interface some instance or service announces. */
  interfaces(): string[];
  /** The leases of the instances registered here (not those of config or an external registry). */
  leases?(): LeaseState[];
  /** Registers a live client's instance; a second call for the same node id replaces it. */
  register(registration: RegisteredInstance): Promise<RegistrationLease>;
  subscribe(listener: RegistryListener): () => void;
  close(): Promise<void>;
}
