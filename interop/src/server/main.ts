#!/usr/bin/env node
// gRPC interop harness, server side (doc/interop-test-descriptions.md, "Server"): TestService
// served by Shoal on --port, plaintext (h2c, and Triple's HTTP mode on the same port).
// Run as `shoal-interop-server --port=N`.

import { Command } from 'commander';
import { parseBool, parsePort } from '../cli-flags.js';
import { createTestServer } from './test-service.js';

interface ServerFlags {
  port: number;
  host: string;
  use_tls: boolean;
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('shoal-interop-server')
    .description("gRPC's interop TestService, served by Shoal")
    .requiredOption('--port <port>', 'port to listen on (0 picks a free one)', parsePort)
    .option('--host <address>', 'address to bind', '0.0.0.0')
    .option('--use_tls [bool]', 'serve TLS (this harness serves plaintext only)', parseBool, false)
    .parse(argv);
  const flags = program.opts<ServerFlags>();
  if (flags.use_tls)
    program.error('error: --use_tls=true is not supported: this harness serves plaintext (h2c)');
  const server = createTestServer({
    onError: (error, where) => console.error(`shoal-interop-server: ${where}:`, error),
  });
  const address = await server.listen(flags.port, flags.host);
  console.log(`shoal-interop-server listening on ${address.host}:${address.port}`);
  const stop = () => void server.close(2000).then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main(process.argv).catch((error: unknown) => {
  console.error(`shoal-interop-server: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
