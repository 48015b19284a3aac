// gRPC xDS interop server, written with Shoal: TestService on the test port; health
// (grpc.health.v1), XdsUpdateHealthService and reflection on the maintenance port (one server
// when both ports are the same). In xDS mode the test port is an xDS-enabled server (gRFC A36)
// that takes its inbound listener from the control plane.

import type { DescService } from '@bufbuild/protobuf';
import { createXdsEnabledServer } from '@shoal/mesh';
import {
  createServer,
  type Server,
  type ServiceImpl,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from '@shoal/rpc';
import { registerCsds, type XdsBootstrap, type XdsClient } from '@shoal/xds';
import { TestService, XdsUpdateHealthService } from '../gen/grpc/testing/test_pb.js';
import { xdsTestServiceImpl } from './test-service-impl.js';

export interface XdsInteropServerOptions {
  /** Test port (0 picks a free one). */
  readonly port: number;
  /** Maintenance port; the same as `port` serves everything on one server (0 picks a free one). */
  readonly maintenancePort: number;
  readonly serverId: string;
  /** Reported to clients to tell backends apart; defaults to the server id. */
  readonly hostname?: string;
  /** Address to bind (default 127.0.0.1). */
  readonly host?: string;
  /**
   * xDS mode: the test port becomes an xDS-enabled server (gRFC A36) whose inbound listener comes
   * through an xDS client, and CSDS joins the maintenance port. The client is made once the test
   * port is bound (so self-registration can announce it); the server closes it.
   */
  readonly xds?: XdsMode;
  /** xDS mode: told when the test port starts or stops serving, and why. */
  readonly onServingStatus?: (serving: boolean, reason: string) => void;
  /**
   * gRPC's --secure_mode: apply the inbound listener's DownstreamTlsContext (XdsServerCredentials,
   * gRFC A29). Default false: plaintext, as gRPC's interop server with insecure credentials.
   */
  readonly secureMode?: boolean;
  readonly onError?: (error: unknown, where: string) => void;
}

export interface XdsMode {
  /** For the server listener name template. */
  readonly bootstrap: XdsBootstrap;
  client(boundPort: number): XdsClient;
}

/** xDS mode over an existing client. */
export function xdsModeWith(client: XdsClient): XdsMode {
  return { bootstrap: client.bootstrap, client: () => client };
}

/** What the test port needs of a server: a plain Server, or an xDS-enabled one. */
interface TestPortServer {
  register<S extends DescService>(service: S, impl: Partial<ServiceImpl<S>>): void;
  listen(port: number, host: string): Promise<{ port: number }>;
  close(graceMs?: number): Promise<void>;
}

export interface XdsInteropServerAddresses {
  readonly port: number;
  readonly maintenancePort: number;
}

export class XdsInteropServer {
  private test: TestPortServer | undefined;
  private maintenance: Server | undefined;
  private shared = false;
  private xdsClient: XdsClient | undefined;

  constructor(private readonly options: XdsInteropServerOptions) {}

  async start(): Promise<XdsInteropServerAddresses> {
    const { options } = this;
    const host = options.host ?? '127.0.0.1';
    const identity = { hostname: options.hostname ?? options.serverId, serverId: options.serverId };
    const onError = options.onError ? { onError: options.onError } : {};
    // One server for both ports only in plain mode: an xDS-enabled server gates every call.
    const shared = options.port === options.maintenancePort && options.port !== 0 && !options.xds;
    const maintenance = createServer({ standardServices: true, ...onError });
    const test = options.xds
      ? xdsEnabledServer(options.xds, (c) => (this.xdsClient = c), {
          ...onError,
          onServingStatus: options.onServingStatus,
          secureMode: options.secureMode ?? false,
        })
      : plainServer(shared ? maintenance : createServer(onError));
    this.test = test;
    this.maintenance = maintenance;
    this.shared = shared;
    test.register(TestService, xdsTestServiceImpl(identity));
    maintenance.register(XdsUpdateHealthService, {
      setServing() {
        maintenance.health.set('', ServingStatus.SERVING);
        return {};
      },
      setNotServing() {
        maintenance.health.set('', ServingStatus.NOT_SERVING);
        return {};
      },
    });
    const bound = await test.listen(options.port, host);
    if (this.xdsClient) registerCsds(maintenance, this.xdsClient);
    const maintenancePort = shared
      ? bound.port
      : (await maintenance.listen(options.maintenancePort, host)).port;
    return { port: bound.port, maintenancePort };
  }

  async close(graceMs = 1000): Promise<void> {
    const test = this.test;
    const maintenance = this.maintenance;
    this.test = undefined;
    this.maintenance = undefined;
    await Promise.all([test?.close(graceMs), this.shared ? undefined : maintenance?.close(graceMs)]);
    await this.xdsClient?.close();
    this.xdsClient = undefined;
  }
}

function plainServer(server: Server): TestPortServer {
  return {
    register: (service, impl) => void server.register(service, impl),
    listen: (port, host) => server.listen(port, host),
    close: (graceMs) => server.close(graceMs),
  };
}

function xdsEnabledServer(
  xds: XdsMode,
  onClient: (client: XdsClient) => void,
  options: {
    onError?: (error: unknown, where: string) => void;
    onServingStatus?: ((serving: boolean, reason: string) => void) | undefined;
    secureMode: boolean;
  },
): TestPortServer {
  const server = createXdsEnabledServer({
    bootstrap: xds.bootstrap,
    xdsCredentials: options.secureMode,
    ...(options.onError ? { onError: options.onError } : {}),
    ...(options.onServingStatus ? { onServingStatus: options.onServingStatus } : {}),
  });
  return {
    register: (service, impl) => void server.register(service, impl),
    listen: async (port, host) => {
      const address = await server.listen(port, host);
      const client = xds.client(address.port);
      onClient(client);
      server.watch(client);
      return address;
    },
    close: (graceMs) => server.close(graceMs),
  };
}
