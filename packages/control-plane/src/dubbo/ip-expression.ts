// Dubbo's address expressions, used by tag rules (`addresses`) and configurators (`addresses`,
// `providerAddresses`, match.address): `*`, `0.0.0.0` (any host), an IP, `ip:port`, `0.0.0.0:port`,
// octets with `*` or ranges (`10.0.1.*`, `10.0.1.10-20`), or a CIDR block.
// Dubbo: NetUtils.matchIpExpression / matchIpRange, AddressMatch, AbstractConfigurator (0.0.0.0).

import { isIP } from 'node:net';
import { checkIPOrCIDR } from '../config/rules-common.js';

const ANYHOST = '0.0.0.0';

interface Parsed {
  host: string;
  port: number | undefined;
}

function split(pattern: string): Parsed | undefined {
  const p = pattern.trim();
  if (p.startsWith('[')) {
    const end = p.indexOf(']');
    if (end < 0) return undefined;
    const rest = p.slice(end + 1);
    if (rest !== '' && !/^:\d+$/.test(rest)) return undefined;
    return { host: p.slice(1, end), port: rest === '' ? undefined : Number(rest.slice(1)) };
  }
  const colons = p.split(':').length - 1;
  if (colons === 1) {
    const [host = '', port = ''] = p.split(':');
    if (port === '*') return { host, port: undefined };
    if (!/^\d+$/.test(port)) return undefined;
    return { host, port: Number(port) };
  }
  return { host: p, port: undefined };
}

const OCTET = /^(\*|\d{1,3}|\d{1,3}-\d{1,3})$/;

/** Why `pattern` is not an address expression, or undefined when it is. */
export function checkIpExpression(pattern: string): string | undefined {
  const p = pattern.trim();
  if (p === '*' || p === '*.*.*.*') return undefined;
  if (p.includes('/')) return checkIPOrCIDR(p) && `${JSON.stringify(p)} is not a valid CIDR block`;
  const parsed = split(p);
  if (!parsed) return `${JSON.stringify(p)} is not an address: use ip, ip:port, 10.0.0.* or a CIDR block`;
  if (parsed.port !== undefined && (parsed.port < 1 || parsed.port > 65535))
    return `port ${parsed.port} must be in the range 1..65535`;
  if (isIP(parsed.host) !== 0) return undefined;
  const octets = parsed.host.split('.');
  const byte = (t: string) => Number(t) <= 255;
  if (
    octets.length === 4 &&
    octets.every((o) => OCTET.test(o) && o.split('-').every((t) => t === '*' || byte(t)))
  )
    return undefined;
  return `${JSON.stringify(p)} is not an address: use ip, ip:port, 10.0.0.* or a CIDR block`;
}

/** Whether the address expression covers `host:port`. `0.0.0.0` covers every host. */
export function matchIpExpression(pattern: string, host: string, port: number): boolean {
  const p = pattern.trim();
  if (p === '*' || p === '*.*.*.*') return true;
  if (p.includes('/')) return cidrContains(p, host);
  const parsed = split(p);
  if (!parsed) return false;
  if (parsed.port !== undefined && parsed.port !== port) return false;
  if (parsed.host === ANYHOST || parsed.host === '*') return true;
  if (parsed.host === host) return true;
  const mask = parsed.host.split('.');
  const parts = host.split('.');
  if (mask.length !== 4 || parts.length !== 4) return false;
  return mask.every((m, i) => {
    const value = parts[i]!;
    if (m === '*' || m === value) return true;
    const dash = m.indexOf('-');
    if (dash < 0) return false;
    const n = Number(value);
    return n >= Number(m.slice(0, dash)) && n <= Number(m.slice(dash + 1));
  });
}

function cidrContains(cidr: string, host: string): boolean {
  const [base = '', bitsText = ''] = cidr.split('/');
  const family = isIP(base);
  if (family === 0 || isIP(host) !== family) return false;
  const bits = Number(bitsText);
  const a = addressBits(base);
  const b = addressBits(host);
  for (let i = 0; i < bits; i++) if (a[i] !== b[i]) return false;
  return true;
}

function addressBits(ip: string): number[] {
  const bytes: number[] = [];
  if (isIP(ip) === 4) bytes.push(...ip.split('.').map(Number));
  else {
    const [head = '', tail = ''] = ip.split('::');
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
    for (const g of groups) {
      const n = Number.parseInt(g, 16);
      bytes.push(n >> 8, n & 0xff);
    }
  }
  return bytes.flatMap((byte) => Array.from({ length: 8 }, (_, i) => (byte >> (7 - i)) & 1));
}
