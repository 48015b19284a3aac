// A mesh provider in one object: an xDS-enabled server (gRFC A36) whose own XdsClient registers
// it with the control plane through node metadata (REGISTRATION.md) once it knows its port and
// services, then takes its inbound Listener over that client. What `shoal demo` and an app's
// provider need: register services, listen, serve when the control plane says so.

import type { ListenAddress } from '@shoal/rpc';
import { workloadFromNode } from '@shoal/telemetry/plugins';
import {
  createXdsClient,
  loadBootstrap,
  type Registration,
  type XdsBootstrap,
  type XdsClient,
} from '@shoal/xds/client';
import { registrationLabels, withRegistration } from './node-registration.js';
import { XdsEnabledServer, type XdsEnabledServerOptions } from './xds-enabled-server.js';

/** A MeshServer's options: the xDS-enabled server's, with the bootstrap optional and what to register. */
export interface MeshServerOptions extends Omit<XdsEnabledServerOptions, 'bootstrap'> {
  /** The bootstrap; default: from GRPC_XDS_BOOTSTRAP / GRPC_XDS_BOOTSTRAP_CONFIG. */
  readonly bootstrap?: XdsBootstrap;
  /** How this instance registers; port and services are filled in at listen(). */
  readonly registration: Omit<Registration, 'port' | 'services'> & {
    /** Announced port when it differs from the bound one (behind NAT or a port mapping). */
    readonly port?: number;
    /** Interfaces to announce; default: every service registered on the server. */
    readonly services?: Registration['services'];
  };
  /** Makes the XdsClient (tests pass a factory to inspect it); default createXdsClient. */
  readonly createClient?: (bootstrap: XdsBootstrap) => XdsClient;
}

/**
 * A server in the mesh: xDS-enabled serving (gRFC A36) on its own xDS client, and self-registration of its
 * services in node metadata while its ADS stream lives.
 */
export class MeshServer extends XdsEnabledServer {
  private client: XdsClient | undefined;

  constructor(private readonly meshOptions: MeshServerOptions) {
    const bootstrap = meshOptions.bootstrap ?? loadBootstrap();
    super({
      ...meshOptions,
      bootstrap,
      ...(meshOptions.telemetry &&
        !meshOptions.workload && {
          workload: workloadFromNode(registrationLabels(bootstrap.node, meshOptions.registration)),
        }),
    });
  }

  /** The XdsClient registering this instance, once listening. */
  get xdsClient(): XdsClient | undefined {
    return this.client;
  }

  /**
   * Binds, registers this instance over a new XdsClient, and watches the inbound Listener. With
   * telemetry, its admin port opens first (when its options or SHOAL_ADMIN_PORT name one) and is
   * announced in the registration, so the control plane lists it for Prometheus.
   */
  override async listen(port = 0, host = '127.0.0.1'): Promise<ListenAddress> {
    const address = await super.listen(port, host);
    const telemetry = this.meshOptions.telemetry;
    if (telemetry && !telemetry.adminAddress) await telemetry.listen();
    const r = this.meshOptions.registration;
    const wildcard = host === '0.0.0.0' || host === '::';
    const registered = withRegistration(this.options.bootstrap!, {
      ...r,
      port: r.port ?? address.port,
      services: r.services ?? this.services,
      ...(r.instanceIps === undefined && !wildcard && { instanceIps: [address.host] }),
    });
    const bootstrap = telemetry ? telemetry.announce(registered) : registered;
    const metrics = this.meshOptions.telemetry?.xdsClientMetrics('#server');
    const create = (b: XdsBootstrap) =>
      createXdsClient({ bootstrap: b, httpFilters: this.httpFilters, ...(metrics && { metrics }) });
    this.client = (this.meshOptions.createClient ?? create)(bootstrap);
    this.watch(this.client);
    return address;
  }

  override async close(graceMs?: number): Promise<void> {
    await this.client?.close();
    await super.close(graceMs);
  }
}

/** Creates a self-registering, xDS-enabled provider. */
export function createMeshServer(options: MeshServerOptions): MeshServer {
  return new MeshServer(options);
}
