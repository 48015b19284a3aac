// Harness for the grpc-js-xds interop suite: Shoal's control plane, plain @grpc/grpc-js backends
// that answer with their own name, and a grpc-js-xds client, all on 127.0.0.1.
// gRPC: xDS bootstrap (gRFC A27), `xds:///host:port` targets.

import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { ControlPlane } from '@shoal/control-plane';
import { waitFor } from '@shoal/testing';

/** One unary method with raw bytes in and out, so no generated code is needed on either side. */
export const WHO_PATH = '/shoal.interop.v1.Who/Name';

/** A grpc-js method definition for `path` whose requests and responses are raw bytes. */
export function rawUnaryMethod(path: string) {
  return {
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: (b: Buffer) => b,
    requestDeserialize: (b: Buffer) => b,
    responseSerialize: (b: Buffer) => b,
    responseDeserialize: (b: Buffer) => b,
  } as const;
}

const raw = rawUnaryMethod(WHO_PATH);

export interface Backend {
  name: string;
  port: number;
  server: grpc.Server;
}

/** Request metadata that makes a backend wait this many milliseconds before it answers. */
export const DELAY_HEADER = 'x-delay-ms';

/** A plain grpc-js server answering every call with `name` (after `x-delay-ms`, when sent). */
export async function startBackend(name: string, server = new grpc.Server()): Promise<Backend> {
  server.addService({ Name: raw } as unknown as grpc.ServiceDefinition, {
    Name: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      const delay = Number(call.metadata.get(DELAY_HEADER)[0] ?? 0);
      if (delay > 0) setTimeout(() => callback(null, Buffer.from(name)), delay).unref();
      else callback(null, Buffer.from(name));
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return { name, port, server };
}

/** Graceful shutdown, forced after `graceMs` (idle client connections would hold it open). */
export function stopBackend(b: Backend, graceMs = 500): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      b.server.forceShutdown();
      resolve();
    }, graceMs);
    b.server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Calls the Who method once; resolves with the backend's name. */
export function callWho(
  client: grpc.Client,
  metadata = new grpc.Metadata(),
  deadlineMs = 5000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      WHO_PATH,
      raw.requestSerialize,
      raw.responseDeserialize,
      Buffer.alloc(0),
      metadata,
      { deadline: Date.now() + deadlineMs },
      (err, res) => (err ? reject(err) : resolve(res!.toString())),
    );
  });
}

/** `calls` calls, `concurrency` at a time; counts answers per backend and failures. */
export async function spread(
  client: grpc.Client,
  calls: number,
  concurrency = 20,
  metadata?: () => grpc.Metadata,
): Promise<{ counts: Record<string, number>; failures: Error[] }> {
  const counts: Record<string, number> = {};
  const failures: Error[] = [];
  let next = 0;
  const worker = async () => {
    while (next < calls) {
      next++;
      try {
        const name = await callWho(client, metadata?.());
        counts[name] = (counts[name] ?? 0) + 1;
      } catch (err) {
        failures.push(err as Error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { counts, failures };
}

/** The gRPC bootstrap pointing at the control plane, as Istio's grpc-agent writes it. */
export function bootstrapJson(xdsPort: number, nodeId: string): string {
  return JSON.stringify({
    xds_servers: [
      {
        server_uri: `127.0.0.1:${xdsPort}`,
        channel_creds: [{ type: 'insecure' }],
        server_features: ['xds_v3'],
      },
    ],
    node: { id: nodeId, metadata: { NAMESPACE: 'default', GENERATOR: 'grpc' }, locality: {} },
    server_listener_resource_name_template: 'xds.istio.io/grpc/lds/inbound/%s',
  });
}

/** A ServiceEntry for `host:port` and one WorkloadEntry per backend, labelled with its version. */
export function registryYaml(host: string, port: number, backends: Backend[]): string {
  const docs = [
    `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: ${host.split('.')[0]} }
spec:
  hosts: [${host}]
  ports: [{ number: ${port}, name: grpc, protocol: GRPC }]
  location: MESH_INTERNAL
  resolution: STATIC
  workloadSelector: { labels: { app: ${host.split('.')[0]} } }`,
    ...backends.map(
      (b) => `apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: { name: ${host.split('.')[0]}-${b.name} }
spec: { address: 127.0.0.1, ports: { grpc: ${b.port} }, labels: { app: ${host.split('.')[0]}, version: ${b.name} } }`,
    ),
  ];
  return docs.join('\n---\n');
}

/** The root VirtualService for reviews with these http routes (YAML list items, indented 2). */
export const reviewsVs = (http: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews }
spec:
  hosts: [reviews]
  http:
${http}`;

/** Applies YAML through a control plane's admin API (`admin`: its URL); fails with its answer. */
export async function applyConfig(admin: string, adminToken: string, yaml: string): Promise<void> {
  const res = await fetch(`${admin}/api/apply?source=interop`, {
    method: 'POST',
    body: yaml,
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/yaml' },
  });
  assert.equal(res.status, 200, await res.text());
}

/** Polls `probe` (every 50 ms) until it returns true, or fails after `timeoutMs`. */
export function eventually(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  return waitFor(probe, what, timeoutMs, 50);
}

export { ControlPlane };
