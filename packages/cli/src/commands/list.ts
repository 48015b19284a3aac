// `shoal list ADDR [SERVICE]` and `shoal describe ADDR SYMBOL`, over server reflection or --proto.

import type { Command } from 'commander';
import { CliError, ExitCode } from '../cli-error.js';
import { type DescriptorSource, fileSource } from '../descriptors/descriptor-source.js';
import { reflectionSource } from '../descriptors/reflection-source.js';
import { parseOutputFormat, printData } from '../output/print.js';
import { connectTarget, parseProtocol } from '../target.js';
import { formatEnum, formatMessage, formatMethod, formatService } from './describe-format.js';
import { type SourceFlags, withSourceOptions } from './source-options.js';

interface ListFlags extends SourceFlags {
  output?: string;
}

async function withSource<T>(
  address: string,
  flags: ListFlags,
  fn: (source: DescriptorSource) => Promise<T>,
): Promise<T> {
  const files = fileSource(flags);
  if (files) return fn(files);
  const transport = await connectTarget(address, { protocol: parseProtocol('grpc') });
  try {
    return await fn(reflectionSource(transport, address));
  } finally {
    transport.close();
  }
}

export function registerList(program: Command): void {
  withSourceOptions(
    program
      .command('list')
      .description('list the services of a server, or the methods of one service')
      .argument('<address>', 'host:port')
      .argument('[service]', 'a service name, to list its methods'),
  )
    .option('-o, --output <format>', 'json or yaml')
    .action(async (address: string, service: string | undefined, flags: ListFlags) => {
      const format = parseOutputFormat(flags.output);
      await withSource(address, flags, async (source) => {
        if (!service) {
          const names = await source.listServices();
          printData(names, format, () => names.join('\n'));
          return;
        }
        const registry = await source.registryFor(service);
        const desc = registry.getService(service);
        if (!desc)
          throw new CliError(
            `unknown service "${service}"`,
            ExitCode.failure,
            'run `shoal list ADDR` to see the services',
          );
        const methods = desc.methods.map((m) => `${desc.typeName}.${m.name}`);
        printData(methods, format, () => methods.join('\n'));
      });
    });

  withSourceOptions(
    program
      .command('describe')
      .description('describe a service, method, message or enum')
      .argument('<address>', 'host:port')
      .argument(
        '<symbol>',
        'e.g. greet.v1.GreeterService, greet.v1.GreeterService.Greet, greet.v1.GreetRequest',
      ),
  )
    .option('-o, --output <format>', 'json or yaml')
    .action(async (address: string, symbol: string, flags: ListFlags) => {
      const format = parseOutputFormat(flags.output);
      await withSource(address, flags, async (source) => {
        const registry = await source.registryFor(symbol);
        const lastDot = symbol.lastIndexOf('.');
        const service = registry.getService(symbol);
        const message = registry.getMessage(symbol);
        const enumDesc = registry.getEnum(symbol);
        const parent = registry.getService(symbol.slice(0, lastDot));
        const method = parent?.methods.find((m) => m.name === symbol.slice(lastDot + 1));
        const text = service
          ? formatService(service)
          : method
            ? formatMethod(method)
            : message
              ? formatMessage(message)
              : enumDesc
                ? formatEnum(enumDesc)
                : undefined;
        if (!text) throw new CliError(`${address} knows no symbol "${symbol}"`);
        const kind = service ? 'service' : method ? 'method' : message ? 'message' : 'enum';
        printData({ symbol, kind, definition: text }, format, () => `${symbol} is a ${kind}:\n${text}`);
      });
    });
}
