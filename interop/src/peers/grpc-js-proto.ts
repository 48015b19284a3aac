// Interop peers: grpc.testing loaded with @grpc/proto-loader from this package's own .proto files,
// the way any grpc-js application loads them (test fixture, not part of Shoal).

import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const protoDir = fileURLToPath(new URL('../../proto', import.meta.url));

export interface GrpcTestingPackage {
  TestService: grpc.ServiceClientConstructor;
  UnimplementedService: grpc.ServiceClientConstructor;
}

/** The package definition, which @grpc/reflection also serves from. */
export function loadGrpcTestingDefinition(): protoLoader.PackageDefinition {
  return protoLoader.loadSync('grpc/testing/test.proto', {
    includeDirs: [protoDir],
    // camelCase field names, as protobuf-es uses, so the test cases read both alike.
    keepCase: false,
    longs: Number,
    enums: String,
    defaults: true,
  });
}

export function loadGrpcTesting(definition = loadGrpcTestingDefinition()): GrpcTestingPackage {
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { testing: GrpcTestingPackage };
  };
  return loaded.grpc.testing;
}
