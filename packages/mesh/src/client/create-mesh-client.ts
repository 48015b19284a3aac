// Typed mesh clients: @shoal/rpc's createClient over a MeshTransport, so a generated service
// descriptor and an xDS target (`xds:///host:port` or an interface name) give a client whose calls
// are routed, balanced and protected by the mesh.

import type { DescService } from '@bufbuild/protobuf';
import { type Client, type ClientOptions, Code, createClient, RpcError } from '@shoal/rpc/client';
import { XdsClient } from '@shoal/xds/client';
import { MeshTransport, type MeshTransportOptions } from './mesh-transport.js';

/** Where a mesh client keeps its transport (for lastDecision, ready(), close()). */
export const MESH_TRANSPORT: unique symbol = Symbol('shoal.meshTransport');

/**
 * A typed client of a service whose calls go through the mesh; its MeshTransport is reachable with
 * meshTransportOf().
 */
export type MeshClient<S extends DescService> = Client<S> & { readonly [MESH_TRANSPORT]: MeshTransport };

/** createMeshClient's options: the transport's, plus interceptors and default call options. */
export interface MeshClientOptions extends Omit<MeshTransportOptions, 'target'> {
  /** Interceptors and default call options, as for createClient. */
  readonly client?: ClientOptions;
}

/** Creates a typed client whose calls go through the mesh to `target`. */
export function createMeshClient<S extends DescService>(
  service: S,
  target: string,
  options: MeshClientOptions,
): MeshClient<S> {
  const { client: clientOptions, ...transportOptions } = options;
  const transport = new MeshTransport({ ...transportOptions, target });
  const telemetry = options.telemetry;
  let withTelemetry = clientOptions;
  if (telemetry !== undefined) {
    if (clientOptions?.callTracer !== undefined)
      throw new RpcError(
        Code.INVALID_ARGUMENT,
        'createMeshClient: options.telemetry brings its own call tracer; client.callTracer cannot be set beside it',
      );
    // This process as Istio's labels name it: the bootstrap's node, or the shared client's.
    const node =
      options.bootstrap?.node ?? (options.xds instanceof XdsClient ? options.xds.bootstrap.node : undefined);
    const calls = telemetry.client(target, node ? telemetry.workloadOf(node) : telemetry.workload);
    withTelemetry = { ...clientOptions, callTracer: calls.callTracer() };
  }
  const client = createClient(service, transport, withTelemetry);
  Object.defineProperty(client, MESH_TRANSPORT, { value: transport, enumerable: false });
  return client as MeshClient<S>;
}

/** The transport of a client made by createMeshClient. */
export function meshTransportOf(client: { readonly [MESH_TRANSPORT]: MeshTransport }): MeshTransport {
  return client[MESH_TRANSPORT];
}
