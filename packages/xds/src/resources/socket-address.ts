// Envoy: core.v3.Address / SocketAddress, as gRPC accepts them: a TCP socket address with an IP or
// host name and a numeric port.
import type { Address } from '../gen/envoy/config/core/v3/address_pb.js';
import { at, type Problems } from './decode-result.js';

/** A TCP address. */
export interface XdsSocketAddress {
  readonly host: string;
  readonly port: number;
}

export function decodeSocketAddress(
  a: Address | undefined,
  path: string,
  problems: Problems,
): XdsSocketAddress | undefined {
  if (a?.address.case !== 'socketAddress') {
    problems.add(path, 'a socket_address is required');
    return undefined;
  }
  const s = a.address.value;
  const p = at(path, 'socket_address');
  const before = problems.errors.length;
  if (s.protocol !== 0) problems.add(at(p, 'protocol'), 'only TCP is supported');
  if (s.address === '') problems.add(at(p, 'address'), 'must not be empty');
  if (s.portSpecifier.case !== 'portValue') problems.add(at(p, 'port_value'), 'is required');
  else if (s.portSpecifier.value > 65535)
    problems.add(at(p, 'port_value'), `${s.portSpecifier.value} is not a port`);
  if (problems.errors.length > before || s.portSpecifier.case !== 'portValue') return undefined;
  return { host: s.address, port: s.portSpecifier.value };
}
