// Test support: a child process that sends calls through @grpc/grpc-js-xds's client and reports
// the answers per backend. A process of its own because grpc-js-xds reads its bootstrap once per
// process and keeps its ADS stream for the life of the process; killing the child ends it.
// Protocol (IPC): { id, target, calls, metadata, method } → { id, counts, failures, codes }.

import * as grpcJsXds from '@grpc/grpc-js-xds';
import { grpcJsCounts, grpcJsTestClient } from './scenario-harness.js';

interface Request {
  readonly id: number;
  readonly target: string;
  readonly calls: number;
  readonly metadata: Record<string, string>;
  readonly method: 'UnaryCall' | 'EmptyCall';
}

grpcJsXds.register();
const clients = new Map<string, ReturnType<typeof grpcJsTestClient>>();
process.on('message', (message: Request) => {
  let client = clients.get(message.target);
  if (!client) clients.set(message.target, (client = grpcJsTestClient(message.target)));
  void grpcJsCounts(client, message.calls, message.metadata, message.method).then(
    ({ firstError: _, ...result }) => process.send?.({ id: message.id, ...result }),
  );
});
process.on('disconnect', () => process.exit(0));
