// SDS secrets for a sidecar, as Istio's agent serves them on `sds-grpc`: `default` holds the
// workload's certificate chain and private key, `ROOTCA` the mesh root to validate peers with.
// Shoal builds them from a WorkloadCertificates source (the control plane's: ca/sidecar-
// certificates.ts, issued by its CA for the node's proven identity); without a certificate for
// the node, no secret exists and its mTLS chains wait for them.
// Istio: security/pkg/nodeagent/sds (sdsservice toEnvoySecret); Envoy: extensions.transport_sockets.tls.v3.Secret.

import { create } from '@bufbuild/protobuf';
import { envoy } from '@shoal/xds';
import type { ProxyNode } from '../../xds-server/proxy-node.js';
import { ROOT_SECRET, WORKLOAD_SECRET } from './sidecar-tls.js';

/** PEM material for one workload. */
export interface WorkloadCertificate {
  certificateChain: string;
  privateKey: string;
  /** The mesh root(s), PEM. */
  rootCertificates: string;
  /** The certificate's serial number: a new one is a new version of the node's secrets. */
  serial: string;
}

/** The current certificate of the workload a sidecar runs for (a lookup: issuing happens elsewhere). */
export type WorkloadCertificates = (node: ProxyNode) => WorkloadCertificate | undefined;

export const SECRET_NAMES = [WORKLOAD_SECRET, ROOT_SECRET];

export function buildSecret(name: string, material: WorkloadCertificate): envoy.Secret | undefined {
  const pem = (text: string) => ({ specifier: { case: 'inlineBytes' as const, value: Buffer.from(text) } });
  if (name === WORKLOAD_SECRET) {
    return create(envoy.SecretSchema, {
      name,
      type: {
        case: 'tlsCertificate',
        value: { certificateChain: pem(material.certificateChain), privateKey: pem(material.privateKey) },
      },
    });
  }
  if (name === ROOT_SECRET) {
    return create(envoy.SecretSchema, {
      name,
      type: { case: 'validationContext', value: { trustedCa: pem(material.rootCertificates) } },
    });
  }
  return undefined;
}
