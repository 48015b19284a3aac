// The demo's workload identities: tokens from the control plane's CA for the providers (service
// account `greeter`, handed over in SHOAL_TOKEN), the consumer (`demo-consumer`) and the CLI
// (`shoal-cli`, for the tour's bootstrap.json), written with the mesh root under
// `<data-dir>/demo/`; and the bootstrap of a Shoal process that gets its certificate with such a
// token (shoal_ca provider) and talks mTLS to the xDS port. The tokens come from the control
// plane in this process, or, with replicas, through a replica's admin API (replicas share the CA
// and the tokens in etcd, so any replica honours them).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ControlPlane } from '@shoal/control-plane';
import type { replicaAdmin } from './replica-set.js';

export interface DemoIdentity {
  /** `<data-dir>/demo/root-cert.pem`. */
  readonly rootFile: string;
  /** A token (its text) for the service account. */
  token(serviceAccount: string): Promise<string>;
  /** Writes a token for the service account to `<data-dir>/demo/<sa>.token`; returns the path. */
  tokenFile(serviceAccount: string): Promise<string>;
}

/** Identities from the control plane in this process. */
export function demoIdentity(cp: ControlPlane, dataDir: string): DemoIdentity {
  return identityFiles(dataDir, cp.ca!.rootPem, async (serviceAccount) => {
    return cp.tokens.create({ namespace: 'default', serviceAccount }).token;
  });
}

/** Identities through a replica's admin API (`replicaAdmin`). */
export async function replicaIdentity(
  call: ReturnType<typeof replicaAdmin>,
  dataDir: string,
): Promise<DemoIdentity> {
  const root = await (await call('GET', '/api/ca/root?output=pem')).text();
  return identityFiles(dataDir, root, async (serviceAccount) => {
    const res = await call('POST', '/api/tokens', { namespace: 'default', serviceAccount });
    return ((await res.json()) as { token: string }).token;
  });
}

function identityFiles(
  dataDir: string,
  rootPem: string,
  token: (serviceAccount: string) => Promise<string>,
): DemoIdentity {
  const dir = join(dataDir, 'demo');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const rootFile = join(dir, 'root-cert.pem');
  writeFileSync(rootFile, rootPem);
  return {
    rootFile,
    token,
    async tokenFile(serviceAccount) {
      const file = join(dir, `${serviceAccount}.token`);
      writeFileSync(file, await token(serviceAccount), { mode: 0o600 });
      return file;
    },
  };
}

/**
 * The xDS servers and certificate provider of a process with a demo identity: mTLS to every
 * server (several: gRFC A71 fallback with A95's reachability-only knob), the certificate from the
 * first one's CA.
 */
export function secureBootstrapParts(
  xdsAddresses: readonly string[],
  rootFile: string,
  providerConfig: Record<string, string>,
): { xds_servers: object[]; certificate_providers: object; fallback_on_reachability_only?: boolean } {
  return {
    xds_servers: xdsAddresses.map((server_uri) => ({
      server_uri,
      channel_creds: [
        {
          type: 'tls',
          config: { ca_certificate_file: rootFile, certificate_provider_instance: 'default' },
        },
      ],
      server_features: ['xds_v3'],
    })),
    ...(xdsAddresses.length > 1 && { fallback_on_reachability_only: true }),
    certificate_providers: { default: { plugin_name: 'shoal_ca', config: providerConfig } },
  };
}
