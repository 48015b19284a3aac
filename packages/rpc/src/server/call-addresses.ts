// The addresses of the connection a server call came on, read from its socket when asked.

import type net from 'node:net';
import type { CallAddresses } from '../handler-context.js';

/** Undefined for a socket that is gone or not IP. */
export function callAddresses(socket: net.Socket | undefined): CallAddresses | undefined {
  if (!socket) return undefined;
  try {
    const { remoteAddress, remotePort, localAddress, localPort } = socket;
    if (remoteAddress === undefined || remotePort === undefined) return undefined;
    if (localAddress === undefined || localPort === undefined) return undefined;
    return { remoteIp: remoteAddress, remotePort, localIp: localAddress, localPort };
  } catch {
    return undefined; // node:http2's socket proxy throws once its session is destroyed
  }
}
