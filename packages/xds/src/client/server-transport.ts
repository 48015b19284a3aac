// The @shoal/rpc transport to one xDS server, from its bootstrap entry (gRFC A27 channel_creds;
// gRFC A65 `tls` credentials: CA, optional client certificate for mTLS).
import { readFileSync } from 'node:fs';
import { Code, GrpcTransport, RpcError, type Transport } from '@shoal/rpc';
import type { XdsServerConfig } from '../bootstrap.js';

/** Builds the transport for a server; replaceable in XdsClientOptions (e.g. custom TLS). */
export type XdsTransportFactory = (server: XdsServerConfig) => Transport;

export const createServerTransport: XdsTransportFactory = (server) => {
  const { address, channelCredentials: creds } = server;
  if (address.kind === 'unix') {
    // Plaintext over the socket, as Istio's agent serves it; @shoal/rpc dials `unix:/path` addresses.
    return new GrpcTransport({ address: address.address, authority: 'localhost' });
  }
  if (creds.type === 'insecure') return new GrpcTransport({ address: address.address });
  const read = (file: string | undefined, what: string) => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file);
    } catch (e) {
      throw new RpcError(
        Code.FAILED_PRECONDITION,
        `xDS server ${server.serverUri}: channel_creds tls: cannot read ${what} ${file}: ${(e as Error).message}`,
      );
    }
  };
  const ca = read(creds.caCertificateFile, 'ca_certificate_file');
  const cert = read(creds.certificateFile, 'certificate_file');
  const key = read(creds.privateKeyFile, 'private_key_file');
  return new GrpcTransport({
    address: address.address,
    tls: { servername: address.host, ...(ca && { ca }), ...(cert && { cert }), ...(key && { key }) },
  });
};
