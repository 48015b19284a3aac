// gRPC name syntax (gRPC: doc/naming.md) for an xDS server's `server_uri`: `host:port`,
// `dns:[//authority/]host[:port]`, `ipv4:addr:port`, `ipv6:[addr]:port`, `unix:path`, `unix:///path`.

/** Where an xDS server listens: a TCP `host:port` or a Unix domain socket path. */
export type XdsServerAddress =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly address: string }
  | { readonly kind: 'unix'; readonly path: string; readonly address: string };

const DEFAULT_PORT = 443; // gRPC's default when a target names no port

/**
 * Parses a server URI. Throws an Error whose message says what is wrong with it (the caller
 * adds where it came from).
 */
export function parseServerUri(uri: string): XdsServerAddress {
  if (uri.startsWith('unix:')) {
    // unix:///abs/path and unix:/abs/path and unix:relative/path (gRPC naming)
    const rest = uri.slice('unix:'.length);
    const path = rest.startsWith('//') ? rest.slice(2) : rest;
    if (rest.startsWith('//') && !path.startsWith('/')) {
      throw new Error(`${JSON.stringify(uri)}: unix:// URIs need an absolute path (unix:///path)`);
    }
    if (path === '') throw new Error(`${JSON.stringify(uri)}: empty unix socket path`);
    return { kind: 'unix', path, address: `unix:${path}` };
  }
  let hostPort = uri;
  const scheme = /^([a-z][a-z0-9+.-]*):(.*)$/i.exec(uri);
  const name = scheme?.[1]?.toLowerCase();
  if (scheme && (name === 'dns' || name === 'ipv4' || name === 'ipv6')) {
    hostPort = scheme[2] ?? '';
    // dns:///host:port or dns://resolver/host:port: the resolver authority is not used here.
    if (name === 'dns' && hostPort.startsWith('//')) {
      const slash = hostPort.indexOf('/', 2);
      hostPort = slash < 0 ? '' : hostPort.slice(slash + 1);
    }
  } else if (scheme && (scheme[2] ?? '').startsWith('//')) {
    throw new Error(
      `${JSON.stringify(uri)}: unsupported scheme "${name}:" (use host:port, dns:, ipv4:, ipv6: or unix:)`,
    );
  }
  return parseHostPort(uri, hostPort);
}

function parseHostPort(uri: string, hostPort: string): XdsServerAddress {
  let host: string;
  let portText: string | undefined;
  if (hostPort.startsWith('[')) {
    const end = hostPort.indexOf(']');
    if (end < 0) throw new Error(`${JSON.stringify(uri)}: unterminated IPv6 address`);
    host = hostPort.slice(1, end);
    const after = hostPort.slice(end + 1);
    if (after !== '' && !after.startsWith(':')) throw new Error(`${JSON.stringify(uri)}: junk after "]"`);
    portText = after === '' ? undefined : after.slice(1);
  } else {
    const colon = hostPort.lastIndexOf(':');
    if (colon >= 0 && hostPort.indexOf(':') !== colon) {
      throw new Error(`${JSON.stringify(uri)}: IPv6 addresses must be in brackets ([::1]:port)`);
    }
    host = colon < 0 ? hostPort : hostPort.slice(0, colon);
    portText = colon < 0 ? undefined : hostPort.slice(colon + 1);
  }
  if (host === '') throw new Error(`${JSON.stringify(uri)}: no host`);
  if (/[\s/]/.test(host)) throw new Error(`${JSON.stringify(uri)}: invalid host "${host}"`);
  const port = portText === undefined ? DEFAULT_PORT : Number(portText);
  if (portText !== undefined && (!/^\d+$/.test(portText) || port < 1 || port > 65535)) {
    throw new Error(`${JSON.stringify(uri)}: invalid port "${portText}"`);
  }
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return { kind: 'tcp', host, port, address };
}
