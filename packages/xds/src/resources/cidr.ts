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

/** The address bits of an IP as a bigint, and its width (32 or 128). */
function ipBits(address: string): { bits: bigint; width: number } {
  if (isIP(address) === 4) {
    const bits = address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
    return { bits, width: 32 };
  }
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const n = ipBits(v4[1]).bits;
    text = `${text.slice(0, -v4[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return {
    bits: groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g || '0', 16)), 0n),
    width: 128,
  };
}

/** The range in canonical form (`10.1.2.3/8` → `10.0.0.0/8` as bits), for overlap checks. */
export function cidrKey(c: XdsCidr): string {
  const { bits, width } = ipBits(c.address);
  const host = BigInt(width - c.prefixLen);
  return `${width}:${((bits >> host) << host).toString(16)}/${c.prefixLen}`;
}
