// `shoal call TARGET SERVICE/METHOD`: like grpcurl and buf curl. Message types come from server
// reflection or from --proto files. With --count it becomes a small load run with a summary.

import { type DescMethod, type FileRegistry, toJson } from '@bufbuild/protobuf';
import { type CallOptions, Code, createClient, Metadata, RpcError } from '@shoal/rpc';
import type { CallDestination } from '@shoal/rpc/plugins';
import type { Command } from 'commander';
import { CliError, ExitCode } from '../cli-error.js';
import { fileSource, findMethod } from '../descriptors/descriptor-source.js';
import { reflectionSource } from '../descriptors/reflection-source.js';
import { parseDuration } from '../duration.js';
import { parseOutputFormat, printData } from '../output/print.js';
import { connectTarget, parseProtocol } from '../target.js';
import { parseHeaders, parseMessages, readData } from './call-input.js';
import { type CallOutcome, renderSummary, summarize } from './load-summary.js';
import { collect, type SourceFlags, withSourceOptions } from './source-options.js';

interface CallFlags extends SourceFlags {
  data?: string;
  header: string[];
  protocol?: string;
  timeout?: string;
  count?: string;
  concurrency?: string;
  bootstrap?: string;
  version?: string;
  group?: string;
  output?: string;
  verbose?: boolean;
}

export function registerCall(program: Command): void {
  withSourceOptions(
    program
      .command('call')
      .description('call a method: unary, or streaming with newline-delimited JSON')
      .argument('<target>', 'host:port, xds:///host:port, or an interface name (with --bootstrap)')
      .argument('<method>', 'SERVICE/METHOD, e.g. greet.v1.GreeterService/Greet'),
  )
    .option('-d, --data <json>', 'request message as JSON, @file, or @- for stdin')
    .option('-H, --header <header>', "request metadata 'key: value' (repeatable)", collect, [])
    .option('--protocol <protocol>', 'grpc, triple or http (HTTP/1.1 JSON)', 'grpc')
    .option('--timeout <duration>', 'deadline of each call, e.g. 2s')
    .option('--count <n>', 'make N calls and print a summary')
    .option('--concurrency <c>', 'calls in flight with --count', '10')
    .option('--bootstrap <file>', 'xDS bootstrap for mesh targets')
    .option('--version <v>', 'Triple service version (tri-service-version)')
    .option('--group <g>', 'Triple service group (tri-service-group)')
    .option('-o, --output <format>', 'json or yaml (for scripts)')
    .option('-v, --verbose', 'print response headers and trailers to stderr')
    .action(async (target: string, methodName: string, flags: CallFlags) => {
      await runCall(target, methodName, flags);
    });
}

async function runCall(target: string, methodName: string, flags: CallFlags): Promise<void> {
  const format = parseOutputFormat(flags.output);
  const protocol = parseProtocol(flags.protocol);
  const transport = await connectTarget(target, { protocol, bootstrap: flags.bootstrap });
  // Reflection is a gRPC streaming call: under --protocol http it still needs a gRPC transport.
  const reflectVia =
    protocol === 'http'
      ? await connectTarget(target, { protocol: 'grpc', bootstrap: flags.bootstrap })
      : transport;
  try {
    const source = fileSource(flags) ?? reflectionSource(reflectVia, target);
    const registry = await source.registryFor(methodName.replace('/', '.'));
    const { service, method } = findMethod(registry, methodName);
    const streamingIn = method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming';
    const messages = parseMessages(readData(flags.data), method.input, streamingIn);
    const header = new Metadata();
    for (const [k, v] of parseHeaders(flags.header)) header.append(k, v);
    const base: CallOptions = {
      headers: header,
      timeoutMs: flags.timeout ? parseDuration(flags.timeout, '--timeout') : undefined,
      version: flags.version,
      group: flags.group,
    };
    if (flags.verbose) {
      base.onHeader = (h) => process.stderr.write(`response headers: ${JSON.stringify(h.toJSON())}\n`);
      base.onTrailer = (t) => process.stderr.write(`response trailers: ${JSON.stringify(t.toJSON())}\n`);
    }
    const client = createClient(service, transport) as Record<string, (...args: unknown[]) => unknown>;
    const invoke = client[method.localName]!;
    if (flags.count !== undefined) {
      if (method.methodKind !== 'unary')
        throw new CliError('--count works with unary methods', ExitCode.usage);
      return await loadRun(invoke, messages[0], base, flags, format);
    }
    const print = (message: unknown) => printResponse(method, registry, message, format);
    switch (method.methodKind) {
      case 'unary':
        print(await invoke(messages[0], base));
        break;
      case 'server_streaming':
        for await (const m of invoke(messages[0], base) as AsyncIterable<unknown>) print(m);
        break;
      case 'client_streaming':
        print(await invoke(iterate(messages), base));
        break;
      case 'bidi_streaming':
        for await (const m of invoke(iterate(messages), base) as AsyncIterable<unknown>) print(m);
        break;
    }
  } finally {
    transport.close();
    if (reflectVia !== transport) reflectVia.close();
  }
}

function printResponse(
  method: DescMethod,
  registry: FileRegistry,
  message: unknown,
  format: ReturnType<typeof parseOutputFormat>,
) {
  const json = toJson(method.output, message as never, { registry });
  printData(json, format === 'text' ? 'json' : format, () => '');
}

async function loadRun(
  invoke: (...args: unknown[]) => unknown,
  message: unknown,
  base: CallOptions,
  flags: CallFlags,
  format: ReturnType<typeof parseOutputFormat>,
): Promise<void> {
  const count = positiveInt(flags.count!, '--count');
  const concurrency = Math.min(count, positiveInt(flags.concurrency ?? '10', '--concurrency'));
  const outcomes: CallOutcome[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      next++;
      let destination: CallDestination = { endpoint: '-' };
      const t0 = performance.now();
      let code = Code.OK;
      try {
        await invoke(message, { ...base, onDestination: (d: CallDestination) => (destination = d) });
      } catch (err) {
        code = RpcError.from(err).code;
      }
      outcomes.push({
        code,
        latencyMs: performance.now() - t0,
        endpoint: destination.endpoint,
        cluster: destination.cluster ?? '-',
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const summary = summarize(outcomes, performance.now() - started);
  printData(summary, format, () => renderSummary(summary));
  if (summary.errors > 0) process.exitCode = ExitCode.callFailed;
}

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new CliError(`${flag} must be a positive whole number, got "${value}"`, ExitCode.usage);
  return n;
}

async function* iterate<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}
