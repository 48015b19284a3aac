// Interop peer: grpc.testing.TestService served by @grpc/grpc-js, with the server features of gRPC's
// interop descriptions (doc/interop-test-descriptions.md, "Server") that grpc-js's API can express.
// grpc-js hides a request's grpc-encoding from handlers and never compresses responses, so this
// server cannot check expect_compressed (run client_compressed_unary_noprobe against it) and
// answers response_compressed uncompressed.

import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { loadGrpcTesting, loadGrpcTestingDefinition } from './grpc-js-proto.js';

interface Payload {
  body: Buffer;
}
interface EchoStatus {
  code: number;
  message: string;
}
interface ResponseParameters {
  size: number;
  intervalUs: number;
}
interface StreamingOutputCallRequest {
  responseParameters: ResponseParameters[];
  responseStatus: EchoStatus | null;
}

const echoInitialKey = 'x-grpc-test-echo-initial';
const echoTrailingKey = 'x-grpc-test-echo-trailing-bin';

const payload = (size: number): Payload => ({ body: Buffer.alloc(size) });

/** Echo Metadata: initial metadata to send now, and trailing metadata for the status. */
function echoed(call: { metadata: grpc.Metadata }): { initial: grpc.Metadata; trailing: grpc.Metadata } {
  const initial = new grpc.Metadata();
  const trailing = new grpc.Metadata();
  for (const value of call.metadata.get(echoInitialKey)) initial.add(echoInitialKey, value);
  for (const value of call.metadata.get(echoTrailingKey)) trailing.add(echoTrailingKey, value);
  return { initial, trailing };
}

function statusError(status: EchoStatus | null, metadata: grpc.Metadata): Partial<grpc.StatusObject> | null {
  if (!status || status.code === 0) return null;
  return { code: status.code, details: status.message, metadata };
}

const sleep = (us: number) => new Promise((resolve) => setTimeout(resolve, us / 1000));

/** Writes one response per ResponseParameters, each after its interval_us. */
async function respond(
  call: grpc.ServerWritableStream<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>,
  params: ResponseParameters[],
): Promise<void> {
  for (const param of params) {
    if (param.intervalUs > 0) await sleep(param.intervalUs);
    if (call.cancelled) return;
    call.write({ payload: payload(param.size) });
  }
}

const handlers: grpc.UntypedServiceImplementation = {
  EmptyCall(call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) {
    const { initial, trailing } = echoed(call);
    call.sendMetadata(initial);
    callback(null, {}, trailing);
  },
  UnaryCall(
    call: grpc.ServerUnaryCall<{ responseSize: number; responseStatus: EchoStatus | null }, unknown>,
    callback: grpc.sendUnaryData<unknown>,
  ) {
    const { initial, trailing } = echoed(call);
    call.sendMetadata(initial);
    const error = statusError(call.request.responseStatus, trailing);
    if (error) return callback(error);
    callback(null, { payload: payload(call.request.responseSize) }, trailing);
  },
  StreamingOutputCall(call: grpc.ServerWritableStream<StreamingOutputCallRequest, unknown>) {
    const { initial, trailing } = echoed(call);
    call.sendMetadata(initial);
    const error = statusError(call.request.responseStatus, trailing);
    if (error) return void call.emit('error', error);
    respond(call, call.request.responseParameters).then(() => call.end(trailing));
  },
  StreamingInputCall(
    call: grpc.ServerReadableStream<{ payload: Payload | null }, unknown>,
    callback: grpc.sendUnaryData<unknown>,
  ) {
    const { initial, trailing } = echoed(call);
    call.sendMetadata(initial);
    let aggregatedPayloadSize = 0;
    call.on('data', (request) => (aggregatedPayloadSize += request.payload?.body.length ?? 0));
    call.on('end', () => callback(null, { aggregatedPayloadSize }, trailing));
  },
  FullDuplexCall(call: grpc.ServerDuplexStream<StreamingOutputCallRequest, unknown>) {
    const { initial, trailing } = echoed(call);
    call.sendMetadata(initial);
    // Requests are answered in order: each waits for the previous one's responses.
    let chain = Promise.resolve();
    let failed = false;
    call.on('data', (request: StreamingOutputCallRequest) => {
      chain = chain.then(async () => {
        if (failed || call.cancelled) return;
        const error = statusError(request.responseStatus, trailing);
        if (error) {
          failed = true;
          call.emit('error', error);
          return;
        }
        await respond(call, request.responseParameters);
      });
    });
    call.on('end', () => void chain.then(() => failed || call.cancelled || call.end(trailing)));
  },
  HalfDuplexCall(call: grpc.ServerDuplexStream<StreamingOutputCallRequest, unknown>) {
    const { initial, trailing } = echoed(call);
    call.sendMetadata(initial);
    const requests: StreamingOutputCallRequest[] = [];
    call.on('data', (request: StreamingOutputCallRequest) => requests.push(request));
    call.on('end', async () => {
      for (const request of requests) await respond(call, request.responseParameters);
      call.end(trailing);
    });
  },
};

export interface PeerServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts a grpc-js TestService server on 127.0.0.1 and a free port; with `reflection`, it also
 * serves server reflection with @grpc/reflection, as Node gRPC servers usually do.
 */
export async function startGrpcJsServer(options: { reflection?: boolean } = {}): Promise<PeerServer> {
  const definition = loadGrpcTestingDefinition();
  const server = new grpc.Server();
  server.addService(loadGrpcTesting(definition).TestService.service, handlers);
  if (options.reflection) new ReflectionService(definition).addToServer(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        // Calls left open by cancelled cases must not hold the test up.
        const timer = setTimeout(() => server.forceShutdown(), 1000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
