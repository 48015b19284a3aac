// istio.v1.auth.IstioCertificateService/CreateCertificate on the xDS port: the caller proves who
// it is with a bearer token from `shoal token create` (or, renewing, with the workload certificate
// it presents over mutual TLS: caller-identity.ts), and gets a certificate for exactly that identity.
// Istio: security/pkg/server/ca (CreateCertificate, authenticators).

import { Code, RpcError, type ServiceImpl } from '@shoal/rpc';
import type { IstioCertificateService } from '@shoal/xds';
import { spiffeId } from '@shoal/xds/plugins';
import type { CitadelMetrics } from '../telemetry/citadel-metrics.js';
import { authenticateCaller, type ProvenIdentity } from './caller-identity.js';
import type { CertificateAuthority } from './certificate-authority.js';
import type { IssuedCertificates } from './issued-certificates.js';
import type { TokenStore } from './token-store.js';

export interface CertificateServiceOptions {
  /** The CA, once it exists (it is made when the control plane starts). */
  readonly ca: () => CertificateAuthority | undefined;
  readonly tokens: TokenStore;
  readonly issued: IssuedCertificates;
  readonly log?: (level: 'info' | 'warn', message: string, fields: Record<string, unknown>) => void;
  /** istiod's citadel_server_* counters. */
  readonly metrics?: CitadelMetrics;
}

export function certificateService(
  options: CertificateServiceOptions,
): ServiceImpl<typeof IstioCertificateService> {
  return {
    async createCertificate(request, ctx) {
      const ca = options.ca();
      if (!ca) throw new RpcError(Code.UNAVAILABLE, 'the CA is not ready yet');
      const m = options.metrics;
      m?.csrReceived();
      let caller: ProvenIdentity;
      try {
        caller = authenticateCaller(
          {
            authorization: ctx.requestHeader.getString('authorization'),
            peerCertificate: ctx.security?.peerCertificate,
          },
          options.tokens,
          ca.trustDomain,
        );
      } catch (err) {
        m?.authenticationFailed();
        throw err;
      }
      const metadataNode = request.metadata?.NODE_ID;
      const nodeId = typeof metadataNode === 'string' ? metadataNode : '';
      let issued: Awaited<ReturnType<CertificateAuthority['signCsr']>>;
      try {
        issued = await ca.signCsr(request.csr, caller.identity, Number(request.validityDuration));
      } catch (err) {
        const code = RpcError.from(err).code;
        if (code === Code.INVALID_ARGUMENT) m?.csrParsingFailed();
        else if (code === Code.PERMISSION_DENIED) m?.idExtractionFailed();
        else m?.signingFailed();
        options.log?.('warn', 'certificate request refused', {
          identity: spiffeId(caller.identity),
          by: caller.by,
          error: (err as Error).message,
        });
        throw err;
      }
      m?.certificateIssued();
      options.issued.record({
        nodeId: nodeId || `${caller.by} (no node id)`,
        identity: caller.identity,
        authenticatedBy: caller.by,
        certificate: issued.summary,
        issuedAt: new Date().toISOString(),
      });
      options.log?.('info', 'certificate issued', {
        identity: spiffeId(caller.identity),
        node: nodeId,
        by: caller.by,
        serial: issued.summary.serialNumber,
        notAfter: issued.summary.notAfter.toISOString(),
      });
      return { certChain: issued.chain };
    },
  };
}
