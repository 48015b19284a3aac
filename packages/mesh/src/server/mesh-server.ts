// A mesh provider in one object: an xDS-enabled server (gRFC A36) whose own XdsClient registers
// it with the control plane through node metadata (REGISTRATION.md) once it knows its port and
// services, then takes its inbound Listener over that client. What `shoal demo` and an app's
// provider need: register services, listen, serve when the control plane says so, and leave
// without failing a call: close() drains (REGISTRATION.md, "Shutting down").

import type { ListenAddress } from '@shoal/rpc';
import { workloadFromNode } from '@shoal/telemetry/plugins';
import {
  createXdsClient,
  LISTENER_TYPE_URL,
  loadBootstrap,
  type Registration,
  type XdsBootstrap,
  type XdsClient,
} from '@shoal/xds/client';
import { registrationLabels, withRegistration } from './node-registration.js';
import { XdsEnabledServer, type XdsEnabledServerOptions } from './xds-enabled-server.js';

/** How long close() waits for the control plane to take the draining registration. */
const DRAIN_ANNOUNCE_MS = 2000;

/** A MeshServer's options: the xDS-enabled server's, with the bootstrap optional and what to register. */
export interface MeshServerOptions extends Omit<XdsEnabledServerOptions, 'bootstrap'> {
  /** The bootstrap; default: from GRPC_XDS_BOOTSTRAP / GRPC_XDS_BOOTSTRAP_CONFIG. */
  readonly bootstrap?: XdsBootstrap;
  /** How this instance registers; port and services are filled in at listen(). */
  readonly registration: Omit<Registration, 'port' | 'services' | 'draining'> & {
    /** Announced port when it differs from the bound one (behind NAT or a port mapping). */
    readonly port?: number;
    /** Interfaces to announce; default: every service registered on the server. */
    readonly services?: Registration['services'];
  };
  /**
   * How long close() keeps serving after the control plane has the instance as DRAINING, so
   * clients get that push before the server stops taking calls. Default 1000 ms.
   */
  readonly drainNoticeMs?: number;
  /** Makes the XdsClient (tests pass a factory to inspect it); default createXdsClient. */
  readonly createClient?: (bootstrap: XdsBootstrap) => XdsClient;
}

/**
 * A server in the mesh: xDS-enabled serving (gRFC A36) on its own xDS client, and self-registration of its
 * services in node metadata while its ADS stream lives.
 */
export class MeshServer extends XdsEnabledServer {
  private client: XdsClient | undefined;
  private registered: Registration | undefined;

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
    this.registered = {
      ...r,
      port: r.port ?? address.port,
      services: r.services ?? this.services,
      ...(r.instanceIps === undefined && !wildcard && { instanceIps: [address.host] }),
    };
    this.client = this.makeClient(this.registered);
    this.watch(this.client);
    return address;
  }

  /**
   * Leaves the mesh without failing a call: the instance is announced as DRAINING (clients send
   * it no new calls), keeps serving for `drainNoticeMs` while they learn it, then stops taking
   * calls, lets those in flight finish for up to `graceMs`, and deregisters.
   */
  override async close(graceMs?: number): Promise<void> {
    const client = this.client;
    const registered = this.registered;
    this.client = undefined;
    const draining =
      client && registered && this.isServing ? await this.announceDraining(registered) : undefined;
    await client?.close();
    if (draining) await new Promise((r) => setTimeout(r, this.meshOptions.drainNoticeMs ?? 1000));
    await super.close(graceMs);
    await draining?.close();
  }

  /**
   * A second ADS stream with the same node id and SHOAL_DRAINING replaces the serving
   * registration; resolves once the control plane answered on it (or after a bound, when it
   * does not: the server still closes gracefully).
   */
  private async announceDraining(registered: Registration): Promise<XdsClient> {
    const drain = this.makeClient({ ...registered, draining: true });
    const listener = this.inboundListenerName!;
    await new Promise<void>((resolve) => {
      let finished = false;
      let cancel = () => {};
      const done = () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        cancel();
        resolve();
      };
      const timer = setTimeout(done, DRAIN_ANNOUNCE_MS);
      cancel = drain.watch(LISTENER_TYPE_URL, listener, {
        onUpdate: done,
        onDoesNotExist: done,
        onError: () => {},
      });
      if (finished) cancel();
    });
    return drain;
  }

  /** The XdsClient of a registration (with telemetry, announcing its admin port). */
  private makeClient(registration: Registration): XdsClient {
    const telemetry = this.meshOptions.telemetry;
    const registered = withRegistration(this.options.bootstrap!, registration);
    const bootstrap = telemetry ? telemetry.announce(registered) : registered;
    const metrics = telemetry?.xdsClientMetrics('#server');
    const create = (b: XdsBootstrap) =>
      createXdsClient({ bootstrap: b, httpFilters: this.httpFilters, ...(metrics && { metrics }) });
    return (this.meshOptions.createClient ?? create)(bootstrap);
  }
}

/** Creates a self-registering, xDS-enabled provider. */
export function createMeshServer(options: MeshServerOptions): MeshServer {
  return new MeshServer(options);
}
