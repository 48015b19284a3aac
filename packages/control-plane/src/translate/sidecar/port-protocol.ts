// How a service port is proxied: HTTP (its HTTP/2 kinds, gRPC included, keep HTTP/2 upstream),
// opaque TCP, or undeclared, which istiod sniffs (auto). The protocol comes from the registry
// (a Kubernetes appProtocol, a ServiceEntry's protocol), else from the port name's prefix.
// Istio: protocol selection (pkg/config/protocol: IsHTTP, IsHTTP2, IsGRPC, Unsupported).

import { protocolOf } from '../../registry/config-services.js';
import type { MeshServicePort } from '../mesh-input.js';

export type PortProtocol = 'http' | 'http2' | 'grpc' | 'tcp' | 'auto';

export function portProtocol(port: MeshServicePort): PortProtocol {
  const protocol = (port.protocol ?? protocolOf(port.name))?.toUpperCase();
  switch (protocol) {
    case undefined:
      return 'auto';
    case 'GRPC':
    case 'GRPC-WEB':
      return 'grpc';
    case 'HTTP2':
      return 'http2';
    case 'HTTP':
      return 'http';
    default:
      return 'tcp';
  }
}

/** Ports whose requests go upstream over HTTP/2 (istiod's IsHTTP2: HTTP2 and gRPC). */
export function isHttp2(protocol: PortProtocol): boolean {
  return protocol === 'grpc' || protocol === 'http2';
}

/** Ports served by an HTTP connection manager (sniffed ports get one beside a TCP chain). */
export function isHttp(protocol: PortProtocol): boolean {
  return protocol !== 'tcp';
}
