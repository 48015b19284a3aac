// Turns a TARGET argument into a transport: `host:port` (gRPC, Triple, or Triple's HTTP mode).
// Mesh targets (`xds:///host:port`, interface names) are resolved through @shoal/mesh.

import { GrpcTransport, HttpTransport, type Transport } from '@shoal/rpc';
import { CliError, ExitCode } from './cli-error.js';

export type Protocol = 'grpc' | 'triple' | 'http';

export interface TargetOptions {
  protocol: Protocol;
  bootstrap?: string;
}

export function parseProtocol(value: string | undefined): Protocol {
  const p = value ?? 'grpc';
  if (p === 'grpc' || p === 'triple' || p === 'http') return p;
  throw new CliError(`unknown protocol "${value}"`, ExitCode.usage, 'use grpc, triple or http');
}

export function isMeshTarget(target: string): boolean {
  return target.startsWith('xds:') || !/:\d+$/.test(target);
}

/** `host:port` as given, with the scheme a user might paste (`http://`) removed. */
export function plainAddress(target: string): string {
  const address = target.replace(/^(https?|grpc|tri):\/\//, '').replace(/\/$/, '');
  if (!/^(\[[0-9a-fA-F:.]+\]|[^:/\s]+):\d{1,5}$/.test(address)) {
    throw new CliError(
      `"${target}" is not host:port`,
      ExitCode.usage,
      'e.g. 127.0.0.1:50051, or xds:///host:port with --bootstrap',
    );
  }
  return address;
}

export function connectTarget(target: string, options: TargetOptions): Transport {
  if (isMeshTarget(target)) {
    throw new CliError(
      `mesh target "${target}" needs the proxyless client, which this build of shoal does not have yet`,
      ExitCode.usage,
      'call a provider directly with host:port',
    );
  }
  const address = plainAddress(target);
  return options.protocol === 'http' ? new HttpTransport({ address }) : new GrpcTransport({ address });
}
