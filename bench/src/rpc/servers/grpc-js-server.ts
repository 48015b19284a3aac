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
  });
  return new Promise((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve(port),
    );
  });
}
