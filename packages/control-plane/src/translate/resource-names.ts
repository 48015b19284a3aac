// Resource names as istiod gives them to proxyless gRPC clients.
// Istio: model.BuildSubsetKey (`outbound|port|subset|host`), grpcgen's listener names (`host:port`
// as dialled) and the server listener template `xds.istio.io/grpc/lds/inbound/%s`.

import { isIP } from 'node:net';

export const INBOUND_LISTENER_PREFIX = 'xds.istio.io/grpc/lds/inbound/';

export interface ClusterKey {
  direction: 'outbound' | 'inbound';
  port: number;
  subset: string;
  host: string;
}

export function clusterName(host: string, port: number, subset = ''): string {
  return `outbound|${port}|${subset}|${host}`;
}

/** Parses `outbound|port|subset|host`; undefined when the name is not one. */
export function parseClusterName(name: string): ClusterKey | undefined {
  const parts = name.split('|');
  if (parts.length !== 4) return undefined;
  const [direction, portText, subset, host] = parts as [string, string, string, string];
  if (direction !== 'outbound' && direction !== 'inbound') return undefined;
  const port = Number(portText);
  if (!Number.isInteger(port) || port <= 0 || port > 65535 || host === '') return undefined;
  return { direction, port, subset, host };
}

export interface HostPort {
  host: string;
  /** Undefined when the name carries no port (`xds:///reviews`). */
  port: number | undefined;
}

/** Splits `host:port`, `[v6]:port` or a bare host. */
export function splitHostPort(name: string): HostPort | undefined {
  if (name.startsWith('[')) {
    const end = name.indexOf(']');
    if (end < 0) return undefined;
    const host = name.slice(1, end);
    const rest = name.slice(end + 1);
    if (rest === '') return { host, port: undefined };
    const port = rest.startsWith(':') ? parsePort(rest.slice(1)) : undefined;
    return port === undefined ? undefined : { host, port };
  }
  const colon = name.lastIndexOf(':');
  if (colon < 0) return name === '' ? undefined : { host: name, port: undefined };
  if (name.indexOf(':') !== colon) return { host: name, port: undefined }; // bare IPv6
  const port = parsePort(name.slice(colon + 1));
  const host = name.slice(0, colon);
  return port === undefined || host === '' ? undefined : { host, port };
}

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port > 0 && port <= 65535 ? port : undefined;
}

/**
 * The `IP:port` of a server-side listener name: the Istio template, or any name ending in
 * `/IP:port` (a bootstrap's own template). Undefined for client listener names.
 */
export function parseInboundListenerName(name: string): { ip: string; port: number } | undefined {
  const slash = name.lastIndexOf('/');
  if (slash < 0) return undefined;
  const hp = splitHostPort(name.slice(slash + 1));
  if (!hp || hp.port === undefined || isIP(hp.host) === 0) return undefined;
  return { ip: hp.host, port: hp.port };
}
