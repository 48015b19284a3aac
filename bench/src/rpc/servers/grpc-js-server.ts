// The peer: @grpc/grpc-js with @grpc/proto-loader reading the same bench.proto.

import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { protoPath } from '../payload.js';

interface EchoMessage {
  text: string;
  id: number;
  payload: Buffer;
}

export function loadBenchService(): grpc.ServiceClientConstructor {
  const definition = protoLoader.loadSync(protoPath);
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    shoal: { bench: { v1: { BenchService: grpc.ServiceClientConstructor } } };
  };
  return loaded.shoal.bench.v1.BenchService;
}

export function startGrpcJsServer(): Promise<number> {
  const server = new grpc.Server();
  server.addService(loadBenchService().service, {
    echo: (
      call: grpc.ServerUnaryCall<EchoMessage, EchoMessage>,
      callback: grpc.sendUnaryData<EchoMessage>,
    ) => {
      const { text, id, payload } = call.request;
      callback(null, { text, id, payload });
    },
    serverStream: async (
      call: grpc.ServerWritableStream<{ count: number; echo: EchoMessage }, EchoMessage>,
    ) => {
      const { text, id, payload } = call.request.echo;
      const response = { text, id, payload };
      for (let i = 0; i < call.request.count; i++) {
        if (!call.write(response)) await new Promise((r) => call.once('drain', r));
      }
      call.end();
    },
    bidi: (call: grpc.ServerDuplexStream<EchoMessage, EchoMessage>) => {
      call.on('data', ({ text, id, payload }: EchoMessage) => call.write({ text, id, payload }));
      call.on('end', () => call.end());
    },
  });
  return new Promise((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve(port),
    );
  });
}
