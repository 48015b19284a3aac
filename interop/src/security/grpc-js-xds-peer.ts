// Test support: @grpc/grpc-js-xds with gRPC's own xDS security (gRFC A29), in a child process
// (grpc-js-xds reads GRPC_XDS_BOOTSTRAP once per process: here the bootstrap `shoal agent` wrote).
//   client role: TestService calls through XdsChannelCredentials (insecure fallback); each
//     request {id, target, calls, fresh} → {id, counts, failures, codes}; `fresh` makes a new
//     channel per 20 calls, so new connections pick up rotated certificates.
//   server role: an xDS-enabled XdsServer with XdsServerCredentials serving TestService;
//     reports {port}, and answers calls with whether they came over mTLS.

import * as grpc from '@grpc/grpc-js';
import * as grpcJsXds from '@grpc/grpc-js-xds';
import { grpcJsCounts, grpcJsTestClient, grpcJsTestPackage } from '../xds/scenario-harness.js';

interface ClientRequest {
  readonly id: number;
  readonly target: string;
  readonly calls: number;
  readonly fresh?: boolean;
}

grpcJsXds.register();
const role = process.argv[2];
const insecure = () => new grpcJsXds.XdsChannelCredentials(grpc.credentials.createInsecure());

if (role === 'client') {
  const clients = new Map<string, ReturnType<typeof grpcJsTestClient>>();
  process.on('message', async (m: ClientRequest) => {
    if (!m.fresh) {
      let client = clients.get(m.target);
      if (!client) clients.set(m.target, (client = grpcJsTestClient(m.target, insecure())));
      process.send?.({ id: m.id, ...(await grpcJsCounts(client, m.calls)) });
      return;
    }
    const total = {
      counts: {} as Record<string, number>,
      failures: 0,
      codes: {} as Record<number, number>,
      firstError: undefined as string | undefined,
    };
    for (let done = 0; done < m.calls; done += 20) {
      const client = grpcJsTestClient(m.target, insecure());
      const r = await grpcJsCounts(client, Math.min(20, m.calls - done), {}, 'UnaryCall', 5);
      client.close();
      for (const [k, v] of Object.entries(r.counts)) total.counts[k] = (total.counts[k] ?? 0) + v;
      for (const [k, v] of Object.entries(r.codes))
        total.codes[Number(k)] = (total.codes[Number(k)] ?? 0) + v;
      total.failures += r.failures;
      total.firstError ??= r.firstError;
    }
    process.send?.({ id: m.id, ...total });
  });
} else if (role === 'server') {
  const server = new grpcJsXds.XdsServer();
  const answer = (call: grpc.ServerUnaryCall<unknown, unknown>, done: grpc.sendUnaryData<unknown>) => {
    const peer = call.getAuthContext().sslPeerCertificate;
    done(null, {
      hostname: peer ? `grpc-js-xds (mTLS from ${peer.subjectaltname})` : 'grpc-js-xds (plaintext)',
    });
  };
  server.addService(grpcJsTestPackage().TestService.service, { UnaryCall: answer, EmptyCall: answer });
  // grpc-js-xds's XdsServer needs a fixed port (its inbound listener is named after it).
  server.bindAsync(
    `127.0.0.1:${process.argv[3]}`,
    new grpcJsXds.XdsServerCredentials(grpc.ServerCredentials.createInsecure()),
    (err, port) => {
      if (err) {
        console.error(err);
        process.exit(1);
      }
      process.send?.({ port });
    },
  );
}
process.on('disconnect', () => process.exit(0));
