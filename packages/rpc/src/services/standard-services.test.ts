// Health and reflection, checked with @grpc/grpc-js (a peer nobody here wrote) and with our client.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { echoImpl } from '../../test/echo-impl.js';
import { EchoService } from '../../test/gen/shoal/testing/v1/echo_pb.js';
import { createClient } from '../client/create-client.js';
import { ServerReflection } from '../gen/grpc/reflection/v1/reflection_pb.js';
import { Health, HealthCheckResponse_ServingStatus as Status } from '../gen/health/v1/health_pb.js';
import { Server } from '../server/server.js';

const require = createRequire(import.meta.url);

async function* one<T>(item: T): AsyncGenerator<T> {
  yield item;
}

describe('standard services', () => {
  const server = new Server({ standardServices: true });
  server.register(EchoService, echoImpl());
  let address = '';

  before(async () => {
    address = `127.0.0.1:${(await server.listen(0)).port}`;
  });
  after(() => server.close(500));

  it('answers health checks from a grpc-js client', async () => {
    const def = protoLoader.loadSync(require.resolve('grpc-health-check/proto/health/v1/health.proto'), {
      enums: String,
    });
    const pkg = grpc.loadPackageDefinition(def) as unknown as {
      grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
    };
    const peer = new pkg.grpc.health.v1.Health(address, grpc.credentials.createInsecure());
    const check = (service: string) =>
      new Promise<{ err: grpc.ServiceError | null; res?: { status: string } }>((resolve) =>
        peer.check!({ service }, (err: grpc.ServiceError | null, res: { status: string }) =>
          resolve({ err, res }),
        ),
      );
    assert.equal((await check('')).res?.status, 'SERVING');
    assert.equal((await check('shoal.testing.v1.EchoService')).res?.status, 'SERVING');
    const unknown = await check('no.Such');
    assert.equal(unknown.err?.code, grpc.status.NOT_FOUND);
    peer.close();
  });

  it('streams health changes to Watch', async () => {
    const health = createClient(Health, address);
    const controller = new AbortController();
    const seen: Status[] = [];
    const watching = (async () => {
      for await (const update of health.watch({ service: 'svc.A' }, { signal: controller.signal })) {
        seen.push(update.status);
        if (seen.length === 1) server.health.set('svc.A', Status.SERVING);
        if (seen.length === 2) server.health.set('svc.A', Status.NOT_SERVING);
        if (seen.length === 3) break;
      }
    })();
    await watching;
    controller.abort();
    assert.deepEqual(seen, [Status.SERVICE_UNKNOWN, Status.SERVING, Status.NOT_SERVING]);
  });

  it('lists services and returns descriptors by symbol and by file', async () => {
    const reflection = createClient(ServerReflection, address);
    const ask = async (messageRequest: Record<string, unknown>) => {
      for await (const res of reflection.serverReflectionInfo(one({ messageRequest } as never))) return res;
      throw new Error('no answer');
    };
    const list = await ask({ case: 'listServices', value: '' });
    assert.equal(list.messageResponse.case, 'listServicesResponse');
    const names = (list.messageResponse.value as { service: { name: string }[] }).service.map((s) => s.name);
    assert.ok(names.includes('shoal.testing.v1.EchoService'));
    assert.ok(names.includes('grpc.health.v1.Health'));
    assert.ok(names.includes('grpc.reflection.v1alpha.ServerReflection'));

    const bySymbol = await ask({ case: 'fileContainingSymbol', value: 'shoal.testing.v1.EchoService.Echo' });
    assert.equal(bySymbol.messageResponse.case, 'fileDescriptorResponse');
    const files = (
      bySymbol.messageResponse.value as { fileDescriptorProto: Uint8Array[] }
    ).fileDescriptorProto.map((b) => fromBinary(FileDescriptorProtoSchema, b));
    assert.equal(files[0]?.name, 'shoal/testing/v1/echo.proto');
    assert.equal(files[0]?.service[0]?.method.length, 4);

    const message = await ask({ case: 'fileContainingSymbol', value: 'shoal.testing.v1.EchoRequest' });
    assert.equal(message.messageResponse.case, 'fileDescriptorResponse');
    const byName = await ask({ case: 'fileByFilename', value: 'shoal/testing/v1/echo.proto' });
    assert.equal(byName.messageResponse.case, 'fileDescriptorResponse');
    const missing = await ask({ case: 'fileContainingSymbol', value: 'no.Such' });
    assert.equal(missing.messageResponse.case, 'errorResponse');
    assert.match(
      String((missing.messageResponse.value as { errorMessage: string }).errorMessage),
      /not found/,
    );
  });
});
