// A mesh provider in one object: an xDS-enabled server (gRFC A36) whose own XdsClient registers
// it with the control plane through node metadata (REGISTRATION.md) once it knows its port and
// services, then takes its inbound Listener over that client. What `shoal demo` and an app's
// provider need: register services, listen, serve when the control plane says so.

import type { ListenAddress } from '@shoal/rpc';
import { createXdsClient, loadBootstrap, type XdsBootstrap, type XdsClient } from '@shoal/xds/client';
import { type Registration, withRegistration } from './node-registration.js';
import { XdsEnabledServer, type XdsEnabledServerOptions } from './xds-enabled-server.js';

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

export class MeshServer extends XdsEnabledServer {
  private client: XdsClient | undefined;

  constructor(private readonly meshOptions: MeshServerOptions) {
    super({ ...meshOptions, bootstrap: meshOptions.bootstrap ?? loadBootstrap() });
  }

  /** The XdsClient registering this instance, once listening. */
  get xdsClient(): XdsClient | undefined {
    return this.client;
  }

  /** Binds, registers this instance over a new XdsClient, and watches the inbound Listener. */
  override async listen(port = 0, host = '127.0.0.1'): Promise<ListenAddress> {
    const address = await super.listen(port, host);
    const r = this.meshOptions.registration;
    const wildcard = host === '0.0.0.0' || host === '::';
    const bootstrap = withRegistration(this.options.bootstrap!, {
      ...r,
      port: r.port ?? address.port,
      services: r.services ?? this.services,
      ...(r.instanceIps === undefined && !wildcard && { instanceIps: [address.host] }),
    });
    const create =
      this.meshOptions.createClient ??
      ((b) => createXdsClient({ bootstrap: b, httpFilters: this.httpFilters }));
    this.client = create(bootstrap);
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
