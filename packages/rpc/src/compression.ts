// Per-message compression with `grpc-encoding` / `grpc-accept-encoding` negotiation
// (gRPC: compression.md). identity is always supported and never listed as a compressor.

import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { Code } from './code.js';
import { RpcError } from './rpc-error.js';

/** A message compression (grpc-encoding): its name and how to compress and decompress. */
export interface Compression {
  readonly name: string;
  compress(data: Uint8Array): Promise<Uint8Array>;
  /** Must fail with RESOURCE_EXHAUSTED when the output would pass maxBytes (zip bombs). */
  decompress(data: Uint8Array, maxBytes: number): Promise<Uint8Array>;
}

function zlibCompression(
  name: string,
  compress: (b: Uint8Array) => Promise<Buffer>,
  decompress: (b: Uint8Array, o: zlib.ZlibOptions) => Promise<Buffer>,
): Compression {
  return {
    name,
    compress: (data) => compress(data),
    async decompress(data, maxBytes) {
      try {
        // maxOutputLength makes zlib stop instead of inflating without bound.
        return await decompress(data, { maxOutputLength: Math.max(1, maxBytes) });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
          throw new RpcError(Code.RESOURCE_EXHAUSTED, `decompressed message larger than max (${maxBytes})`);
        }
        throw new RpcError(Code.INTERNAL, `failed to decompress ${name} message: ${(err as Error).message}`);
      }
    },
  };
}

/** gzip compression. */
export const gzip: Compression = zlibCompression('gzip', promisify(zlib.gzip), promisify(zlib.gunzip));
/** deflate compression. */
export const deflate: Compression = zlibCompression(
  'deflate',
  promisify(zlib.deflate),
  promisify(zlib.inflate),
);

export const defaultCompressions: readonly Compression[] = [gzip, deflate];

/** Lists names for `grpc-accept-encoding`. */
export function acceptEncodingHeader(compressions: readonly Compression[]): string {
  return ['identity', ...compressions.map((c) => c.name)].join(',');
}

export function findCompression(
  compressions: readonly Compression[],
  name: string | undefined,
): Compression | 'identity' | undefined {
  if (name === undefined || name === '' || name === 'identity') return 'identity';
  return compressions.find((c) => c.name === name);
}

/** Picks the response compression: the one asked for, if the peer accepts it, else identity. */
export function negotiateCompression(
  compressions: readonly Compression[],
  preferred: string | undefined,
  peerAccepts: string | undefined,
): Compression | undefined {
  if (!preferred || preferred === 'identity' || !peerAccepts) return undefined;
  const accepted = peerAccepts.split(',').map((s) => s.trim());
  if (!accepted.includes(preferred)) return undefined;
  return compressions.find((c) => c.name === preferred);
}
