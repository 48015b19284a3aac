// Test support for taking instances out of service: Shoal's control plane in this process, Shoal
// providers (MeshServer, self-registered, on 127.0.1.N sharing one port, as pods do) serving
// gRPC's TestService, and two kinds of clients calling them through the mesh under load: a Shoal
// mesh client and a @grpc/grpc-js-xds client. Each call is recorded with when it started, when it
// ended and which provider answered, so a test can say when traffic left an instance.

import { fromBinary } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import * as xds from '@grpc/grpc-js-xds';
import { ControlPlane } from '@shoal/control-plane';
import { createMeshClient, createMeshServer, type MeshServer, meshTransportOf } from '@shoal/mesh';
import { parseBootstrap, type XdsBootstrap } from '@shoal/xds';
import { SimpleResponseSchema } from '../gen/grpc/testing/messages_pb.js';
import { TestService } from '../gen/grpc/testing/test_pb.js';
import { eventually } from '../grpc-js-xds/harness.js';
import { xdsTestServiceImpl } from '../xds/test-service-impl.js';

export const APP = 'drain-demo';

/** One finished call: which provider answered (or the error), and when it started and ended. */
export interface CallRecord {
  start: number;
  end: number;
  host?: string;
  error?: string;
}

export interface Caller {
  readonly name: string;
  call(): Promise<string>;
  close(): void;
}

export class DrainMesh {
  readonly cp = new ControlPlane({ xdsPort: 0, adminPort: 0, leaseGraceMs: 500 });
  private xdsPort = 0;
  admin = '';
  port = 0;

  async start(): Promise<void> {
    const { xds, admin } = await this.cp.start();
    this.xdsPort = xds.port;
    this.admin = `http://${admin.host}:${admin.port}`;
  }

  get target(): string {
    return `xds:///${APP}.default.svc.cluster.local:${this.port}`;
  }

  bootstrapJson(nodeId: string): Record<string, unknown> {
    return {
      xds_servers: [
        {
          server_uri: `127.0.0.1:${this.xdsPort}`,
          channel_creds: [{ type: 'insecure' }],
          server_features: ['xds_v3'],
        },
      ],
      node: { id: nodeId, metadata: { NAMESPACE: 'default' }, locality: {} },
      server_listener_resource_name_template: 'xds.istio.io/grpc/lds/inbound/%s',
    };
  }

  bootstrap(nodeId: string): XdsBootstrap {
    return parseBootstrap(this.bootstrapJson(nodeId));
  }

  /** A provider `name` on 127.0.1.`n`, registered as APP, serving once it has its listener. */
  async provider(name: string, n: number, drainNoticeMs?: number): Promise<MeshServer> {
    const server = createMeshServer({
      bootstrap: this.bootstrap(`provider-${name}`),
      registration: { app: APP },
      ...(drainNoticeMs !== undefined ? { drainNoticeMs } : {}),
    });
    server.register(TestService, xdsTestServiceImpl({ hostname: name, serverId: name }));
    const address = await server.listen(this.port, `127.0.1.${n}`);
    this.port = address.port;
    await eventually(async () => server.isServing, 5000, `${name} to serve`);
    return server;
  }

  /** A Shoal mesh client with an XdsClient of its own. */
  shoalCaller(): Caller {
    const client = createMeshClient(TestService, this.target, {
      bootstrap: this.bootstrap('shoal-consumer'),
    });
    return {
      name: 'Shoal',
      call: async () => (await client.unaryCall({}, { timeoutMs: 5000 })).hostname,
      close: () => meshTransportOf(client).close(),
    };
  }

  /** A grpc-js-xds client (the process's only one: grpc-js-xds reads its bootstrap once). */
  grpcJsCaller(): Caller {
    process.env.GRPC_XDS_BOOTSTRAP_CONFIG = JSON.stringify(this.bootstrapJson('grpc-js-consumer'));
    xds.register();
    const client = new grpc.Client(this.target, grpc.credentials.createInsecure());
    const call = () =>
      new Promise<string>((resolve, reject) =>
        client.makeUnaryRequest(
          '/grpc.testing.TestService/UnaryCall',
          (b: Buffer) => b,
          (b: Buffer) => fromBinary(SimpleResponseSchema, b).hostname,
          Buffer.alloc(0),
          new grpc.Metadata(),
          { deadline: Date.now() + 5000 },
          (err, host) => (err ? reject(err) : resolve(host!)),
        ),
      );
    return { name: 'grpc-js-xds', call, close: () => client.close() };
  }

  /** Applies YAML through the admin API, or posts JSON to an admin endpoint; throws on 4xx/5xx. */
  async post(path: string, body: string): Promise<unknown> {
    const res = await fetch(`${this.admin}${path}`, {
      method: 'POST',
      body,
      headers: {
        authorization: `Bearer ${this.cp.adminToken}`,
        'content-type': body.trimStart().startsWith('{') ? 'application/json' : 'application/yaml',
      },
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`POST ${path}: ${res.status} ${text}`);
    return JSON.parse(text);
  }

  stop(): Promise<void> {
    return this.cp.stop(100);
  }
}

/**
 * Calls through `caller`, `concurrency` at a time, until stop() or `maxCalls`: a bounded load
 * that records every call.
 */
export class Load {
  readonly records: CallRecord[] = [];
  private running = true;
  private readonly done: Promise<void>;

  constructor(
    readonly caller: Caller,
    concurrency: number,
    maxCalls: number,
  ) {
    const worker = async () => {
      while (this.running && this.records.length < maxCalls) {
        const start = Date.now();
        try {
          const host = await caller.call();
          this.records.push({ start, end: Date.now(), host });
        } catch (err) {
          this.records.push({ start, end: Date.now(), error: String((err as Error).message ?? err) });
        }
      }
    };
    this.done = Promise.all(Array.from({ length: concurrency }, worker)).then(() => {});
  }

  async stop(): Promise<CallRecord[]> {
    this.running = false;
    await this.done;
    return this.records;
  }

  failures(): CallRecord[] {
    return this.records.filter((r) => r.error !== undefined);
  }
}
