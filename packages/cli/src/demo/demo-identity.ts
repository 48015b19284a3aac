// The demo's workload identities: tokens from the control plane's CA for the providers (service
// account `greeter`, handed over in SHOAL_TOKEN), the consumer (`demo-consumer`) and the CLI
// (`shoal-cli`, for the tour's bootstrap.json), written with the mesh root under
// `<data-dir>/demo/`; and the bootstrap of a Shoal process that gets its certificate with such a
// token (shoal_ca provider) and talks mTLS to the xDS port.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ControlPlane } from '@shoal/control-plane';

export interface DemoIdentity {
  /** `<data-dir>/demo/root-cert.pem`. */
  readonly rootFile: string;
  /** A token (its text) for the service account. */
  token(serviceAccount: string): string;
  /** Writes a token for the service account to `<data-dir>/demo/<sa>.token`; returns the path. */
  tokenFile(serviceAccount: string): string;
}

export function demoIdentity(cp: ControlPlane, dataDir: string): DemoIdentity {
  const dir = join(dataDir, 'demo');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const rootFile = join(dir, 'root-cert.pem');
  writeFileSync(rootFile, cp.ca!.rootPem);
  const token = (serviceAccount: string) => cp.tokens.create({ namespace: 'default', serviceAccount }).token;
  return {
    rootFile,
    token,
    tokenFile(serviceAccount) {
      const file = join(dir, `${serviceAccount}.token`);
      writeFileSync(file, token(serviceAccount), { mode: 0o600 });
      return file;
    },
  };
}

/** The xDS server entry and certificate provider of a process with a demo identity. */
export function secureBootstrapParts(
  xdsAddress: string,
  rootFile: string,
  providerConfig: Record<string, string>,
): { xds_servers: object[]; certificate_providers: object } {
  return {
    xds_servers: [
      {
        server_uri: xdsAddress,
        channel_creds: [
          {
            type: 'tls',
            config: { ca_certificate_file: rootFile, certificate_provider_instance: 'default' },
          },
        ],
        server_features: ['xds_v3'],
      },
    ],
    certificate_providers: { default: { plugin_name: 'shoal_ca', config: providerConfig } },
  };
}
