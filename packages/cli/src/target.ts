// Turns a TARGET argument into a transport: `host:port` (gRPC, Triple, or Triple's HTTP mode).
// Mesh targets (`xds:///host:port`, interface names) are resolved through @shoal/mesh.

import { readFileSync } from 'node:fs';
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

export async function connectTarget(target: string, options: TargetOptions): Promise<Transport> {
  if (isMeshTarget(target)) return connectMesh(target, options);
  const address = plainAddress(target);
  return options.protocol === 'http'
    ? new HttpTransport({ address })
    : new GrpcTransport({ address, protocol: options.protocol });
}

/**
 * A proxyless client: an xDS client on the bootstrap's control plane, and a mesh transport that
 * routes each call. Loaded on use, so plain calls do not pay for the xDS stack.
 */
async function connectMesh(target: string, options: TargetOptions): Promise<Transport> {
  if (options.protocol === 'http') {
    throw new CliError('--protocol http goes to one address; mesh targets use gRPC', ExitCode.usage);
  }
  const [{ createXdsClient, loadBootstrap }, { MeshTransport }] = await Promise.all([
    import('@shoal/xds'),
    import('@shoal/mesh'),
  ]);
  let bootstrap: ReturnType<typeof loadBootstrap>;
  try {
    bootstrap = options.bootstrap
      ? loadBootstrap({ config: readFileSync(options.bootstrap, 'utf8') })
      : loadBootstrap();
  } catch (err) {
    const where = options.bootstrap ?? 'GRPC_XDS_BOOTSTRAP / GRPC_XDS_BOOTSTRAP_CONFIG';
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new CliError(
      `cannot load the xDS bootstrap (${where}): ${reason}`,
      ExitCode.usage,
      'pass --bootstrap FILE',
    );
  }
  const xds = createXdsClient({ bootstrap });
  const mesh = new MeshTransport({ xds, target, bootstrap });
  return {
    call: (request, callOptions) => mesh.call(request, callOptions),
    close: () => {
      mesh.close();
      xds.close();
    },
  };
}
