#!/usr/bin/env node
// gRPC interop harness, client side (doc/interop-test-descriptions.md, "Client"): runs one test
// case (or `all`) with Shoal's client against --server_host:--server_port. Exit status 0 when
// every case passed, 1 when one failed, 2 on bad flags.

import { Command } from 'commander';
import { parseBool, parsePort, parsePositiveInt } from '../cli-flags.js';
import { shoalStub } from './shoal-stub.js';
import { runTestCase, testCaseNames } from './test-cases.js';

interface ClientFlags {
  server_host: string;
  server_port: number;
  server_host_override?: string;
  test_case: string;
  use_tls: boolean;
  use_test_ca: boolean;
  case_timeout_ms: number;
}

/** Runs one case with a bound, so a peer that never answers fails the case instead of hanging. */
async function runBounded(run: () => Promise<void>, limitMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not finish within ${limitMs} ms`)), limitMs);
  });
  try {
    await Promise.race([run(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function main(argv: string[]): Promise<number> {
  const program = new Command('shoal-interop-client')
    .description("gRPC's interop test cases, run with Shoal's client")
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
    .option('--server_host <host>', 'server host to connect to', '127.0.0.1')
    .requiredOption('--server_port <port>', 'server port to connect to', parsePort)
    .option('--server_host_override <host>', ':authority to claim instead of --server_host')
    .requiredOption('--test_case <name>', `one of: ${testCaseNames.join(', ')}; or all`)
    .option('--use_tls [bool]', 'connect with TLS (this harness speaks plaintext only)', parseBool, false)
    .option('--use_test_ca [bool]', "use gRPC's test CA (only with TLS)", parseBool, false)
    .option('--case_timeout_ms <ms>', 'fail a case that takes longer', parsePositiveInt, 30_000)
    .parse(argv);
  const flags = program.opts<ClientFlags>();
  if (flags.use_tls)
    program.error('error: --use_tls=true is not supported: this harness speaks plaintext (h2c)');
  const names = flags.test_case === 'all' ? testCaseNames : [flags.test_case];
  const unknown = names.filter((name) => !testCaseNames.includes(name));
  if (unknown.length > 0) {
    program.error(
      `error: unknown --test_case "${unknown.join(', ')}" (known: ${testCaseNames.join(', ')}, all)`,
    );
  }
  const stub = shoalStub({
    address: `${flags.server_host}:${flags.server_port}`,
    authority: flags.server_host_override && `${flags.server_host_override}:${flags.server_port}`,
  });
  let failed = 0;
  try {
    for (const name of names) {
      const started = performance.now();
      try {
        await runBounded(() => runTestCase(stub, name), flags.case_timeout_ms);
        console.log(`PASS ${name} (${Math.round(performance.now() - started)} ms)`);
      } catch (error) {
        failed++;
        console.error(`FAIL ${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  } finally {
    stub.close();
  }
  return failed === 0 ? 0 : 1;
}

main(process.argv).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`shoal-interop-client: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
