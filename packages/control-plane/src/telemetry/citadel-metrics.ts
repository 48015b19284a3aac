// The CA's metrics under istiod's names (security/pkg/server/ca/monitoring.go): the hooks the
// certificate authority calls as it handles CSRs, so Istio's dashboards and alerts on
// citadel_server_* work against Shoal's control plane. The CA records; this file only defines.

import type { Counter, Meter } from '@opentelemetry/api';
import { CITADEL } from '@shoal/telemetry';

/** Called by the CA (istio.v1.auth.IstioCertificateService/CreateCertificate). */
export interface CitadelMetrics {
  /** A CSR arrived. */
  csrReceived(): void;
  /** The caller could not be authenticated (no or bad token, no client certificate). */
  authenticationFailed(): void;
  /** The CSR could not be parsed. */
  csrParsingFailed(): void;
  /** No identity could be extracted for the caller. */
  idExtractionFailed(): void;
  /** Signing failed. */
  signingFailed(): void;
  /** A certificate was issued. */
  certificateIssued(): void;
  /** The root certificate's and the signing chain's expiry, as Unix seconds. */
  expiries(rootNotAfter: number, chainNotAfter: number): void;
}

export function citadelMetrics(meter: Meter): CitadelMetrics {
  const counter = (d: { name: string; description: string }): Counter =>
    meter.createCounter(d.name, { description: d.description });
  const csr = counter(CITADEL.csrCount);
  const auth = counter(CITADEL.authenticationFailures);
  const parsing = counter(CITADEL.csrParsingErrors);
  const id = counter(CITADEL.idExtractionErrors);
  const sign = counter(CITADEL.csrSignErrors);
  const issued = counter(CITADEL.successCertIssuance);
  let root: number | undefined;
  let chain: number | undefined;
  meter
    .createObservableGauge(CITADEL.rootCertExpiry.name, { description: CITADEL.rootCertExpiry.description })
    .addCallback((r) => {
      if (root !== undefined) r.observe(root);
    });
  meter
    .createObservableGauge(CITADEL.certChainExpiry.name, { description: CITADEL.certChainExpiry.description })
    .addCallback((r) => {
      if (chain !== undefined) r.observe(chain);
    });
  return {
    csrReceived: () => csr.add(1),
    authenticationFailed: () => auth.add(1),
    csrParsingFailed: () => parsing.add(1),
    idExtractionFailed: () => id.add(1),
    signingFailed: () => sign.add(1),
    certificateIssued: () => issued.add(1),
    expiries: (rootNotAfter, chainNotAfter) => {
      root = rootNotAfter;
      chain = chainNotAfter;
    },
  };
}
