// A certificate provider (gRFC A29) for the control plane's own calls into the mesh (the admin
// API's test calls): its key signed by its own CA in-process, for a fixed identity, renewed at
// half its lifetime; registered as the `shoal_control_plane` plug-in of the test caller's
// xDS client, so that its calls pass PeerAuthentication STRICT like any workload's.

import {
  type CertificateProviderRegistry,
  certificateMaterial,
  createDefaultCertificateProviderRegistry,
  createWorkloadKey,
  ProviderBase,
  spiffeId,
  type WorkloadIdentity,
} from '@shoal/xds/plugins';
import type { CertificateAuthority } from './certificate-authority.js';

export const LOCAL_CA_PLUGIN = 'shoal_control_plane';
const LIFETIME_SECONDS = 24 * 3600;

export class LocalCaProvider extends ProviderBase {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ca: CertificateAuthority,
    private readonly identity: Omit<WorkloadIdentity, 'trustDomain'>,
  ) {
    super('default', LOCAL_CA_PLUGIN);
    void this.renew();
  }

  override close(): void {
    super.close();
    clearTimeout(this.timer);
  }

  private async renew(): Promise<void> {
    if (this.closed) return;
    const id = { ...this.identity, trustDomain: this.ca.trustDomain };
    try {
      const key = await createWorkloadKey(spiffeId(id));
      const { chain, summary } = await this.ca.signCsr(key.csr, id, LIFETIME_SECONDS);
      if (this.closed) return;
      this.publish(
        certificateMaterial(
          { certChain: chain.slice(0, -1).join(''), privateKey: key.privateKey, roots: chain.at(-1)! },
          `certificate provider ${LOCAL_CA_PLUGIN}`,
        ),
      );
      this.timer = setTimeout(() => void this.renew(), (summary.notAfter.getTime() - Date.now()) / 2);
    } catch (err) {
      this.fail((err as Error).message);
      this.timer = setTimeout(() => void this.renew(), 5000);
    }
    this.timer.unref();
  }
}

/** The default plug-ins plus `shoal_control_plane`, handing out `provider`. */
export function localCaRegistry(provider: () => LocalCaProvider): CertificateProviderRegistry {
  return createDefaultCertificateProviderRegistry().register(LOCAL_CA_PLUGIN, () => provider());
}
