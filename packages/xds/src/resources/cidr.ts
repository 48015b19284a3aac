// Envoy: core.v3.CidrRange as a plain, validated IP range.
import { isIP } from 'node:net';
import type { CidrRange } from '../gen/envoy/config/core/v3/address_pb.js';
import { at, index, type Problems } from './decode-result.js';

/** An IP range: `address`/`prefixLen`. */
export interface XdsCidr {
  readonly address: string;
  readonly prefixLen: number;
}

export function decodeCidr(r: CidrRange, path: string, problems: Problems): XdsCidr | undefined {
  const family = isIP(r.addressPrefix);
  if (family === 0) {
    problems.add(at(path, 'address_prefix'), `${JSON.stringify(r.addressPrefix)} is not an IP address`);
    return undefined;
  }
  const max = family === 4 ? 32 : 128;
  const prefixLen = r.prefixLen ?? 0;
  if (prefixLen > max) {
    problems.add(at(path, 'prefix_len'), `${prefixLen} is longer than ${max}`);
    return undefined;
  }
  return { address: r.addressPrefix, prefixLen };
}

export function decodeCidrs(ranges: readonly CidrRange[], path: string, problems: Problems): XdsCidr[] {
  return ranges.flatMap((r, i) => decodeCidr(r, index(path, i), problems) ?? []);
}
