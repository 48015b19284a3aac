// Interop peer: the test cases' calls made with @grpc/grpc-js, so the same cases that Shoal's client
// runs against a grpc-js server run with grpc-js's client against Shoal's server.

import { once } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import type { InteropStub, MetadataReader, StubCallOptions } from '../client/stub.js';
import { loadGrpcTesting } from './grpc-js-proto.js';

/** grpc-js picks compression per channel: 2 is gzip in its compression-algorithm enum. */
const gzipChannel = { 'grpc.default_compression_algorithm': 2 };

// grpc-js's dynamically built clients have no static method types.
type DynamicClient = grpc.Client & Record<string, Function>;
type Call = grpc.ClientUnaryCall | grpc.ClientReadableStream<unknown> | grpc.ClientWritableStream<unknown>;

const reader =
  (metadata: grpc.Metadata): MetadataReader =>
  (key) => {
    const value = metadata.get(key)[0];
    return value === undefined ? undefined : typeof value === 'string' ? value : new Uint8Array(value);
  };

function metadataOf(options: StubCallOptions = {}): grpc.Metadata {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(options.headers ?? {})) {
    metadata.add(key, typeof value === 'string' ? value : Buffer.from(value));
  }
  return metadata;
}

function callOptionsOf(options: StubCallOptions = {}): grpc.CallOptions {
  return options.timeoutMs === undefined ? {} : { deadline: Date.now() + options.timeoutMs };
}

/** Wires the stub's options (metadata callbacks, cancellation) onto a started call. */
function watch<C extends Call>(call: C, options: StubCallOptions = {}): C {
  if (options.onHeader) call.on('metadata', (m: grpc.Metadata) => options.onHeader?.(reader(m)));
  if (options.onTrailer) call.on('status', (s: grpc.StatusObject) => options.onTrailer?.(reader(s.metadata)));
  if (options.signal?.aborted) call.cancel();
  else options.signal?.addEventListener('abort', () => call.cancel(), { once: true });
  return call;
}

/** Writes the requests into a grpc-js call with backpressure, then half-closes. */
async function pump(
  call: grpc.ClientWritableStream<unknown> | grpc.ClientDuplexStream<unknown, unknown>,
  requests: AsyncIterable<unknown>,
): Promise<void> {
  let ended = false;
  call.on('status', () => (ended = true));
  for await (const request of requests) {
    if (ended) return;
    if (!call.write(request)) await Promise.race([once(call, 'drain'), once(call, 'status')]);
  }
  if (!ended) call.end();
}

export function grpcJsStub(address: string): InteropStub {
  const pkg = loadGrpcTesting();
  const insecure = grpc.credentials.createInsecure();
  const plain = new pkg.TestService(address, insecure) as DynamicClient;
  const gzipped = new pkg.TestService(address, insecure, gzipChannel) as DynamicClient;
  const unimplemented = new pkg.UnimplementedService(address, insecure) as DynamicClient;
  const pick = (options?: StubCallOptions) => (options?.compressed ? gzipped : plain);

  const unary = (client: DynamicClient, method: string, request: unknown, options?: StubCallOptions) =>
    new Promise<never>((resolve, reject) => {
      const call = client[method]!.call(
        client,
        request,
        metadataOf(options),
        callOptionsOf(options),
        (error: grpc.ServiceError | null, response: never) => (error ? reject(error) : resolve(response)),
      ) as grpc.ClientUnaryCall;
      watch(call, options);
    });

  return {
    emptyCall: (request, o) => unary(pick(o), 'EmptyCall', request, o),
    unaryCall: (request, o) => unary(pick(o), 'UnaryCall', request, o),
    unimplementedCall: (request, o) => unary(pick(o), 'UnimplementedCall', request, o),
    unimplementedServiceCall: (request, o) => unary(unimplemented, 'UnimplementedCall', request, o),
    streamingOutputCall(request, o) {
      const client = pick(o);
      return watch(
        client.StreamingOutputCall!.call(client, request, metadataOf(o), callOptionsOf(o)),
        o,
      ) as grpc.ClientReadableStream<never>;
    },
    streamingInputCall(requests, o) {
      const client = pick(o);
      return new Promise((resolve, reject) => {
        const call = client.StreamingInputCall!.call(
          client,
          metadataOf(o),
          callOptionsOf(o),
          (error: grpc.ServiceError | null, response: never) => (error ? reject(error) : resolve(response)),
        ) as grpc.ClientWritableStream<unknown>;
        watch(call, o);
        pump(call, requests).catch((err: unknown) => call.destroy(err as Error));
      });
    },
    fullDuplexCall(requests, o) {
      const client = pick(o);
      const call = client.FullDuplexCall!.call(client, metadataOf(o), callOptionsOf(o));
      watch(call, o);
      pump(call, requests).catch((err: unknown) => call.destroy(err as Error));
      return call as grpc.ClientDuplexStream<unknown, never>;
    },
    statusOf(error) {
      const e = error as Partial<grpc.ServiceError> | undefined;
      return typeof e?.code === 'number' && typeof e.details === 'string'
        ? { code: e.code, message: e.details }
        : undefined;
    },
    close() {
      plain.close();
      gzipped.close();
      unimplemented.close();
    },
  };
}
