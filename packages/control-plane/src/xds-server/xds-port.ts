// The xDS port (istiod's 15010/15012 on one port): one gRPC server for the Aggregated Discovery
// Service, Istio's CA API (istio.v1.auth.IstioCertificateService) and Envoy's Load Reporting
// Service, plaintext and TLS side by side once the CA gave the port a certificate.

import { type ConnectionPolicy, Server } from '@shoal/rpc';
import { IstioCertificateService } from '@shoal/xds';
import type { CertificateAuthority } from '../ca/certificate-authority.js';
import { certificateService } from '../ca/certificate-service.js';
import type { IssuedCertificates } from '../ca/issued-certificates.js';
import type { TokenStore } from '../ca/token-store.js';
import type { LoadReportStore } from '../load-stats/load-report-store.js';
import { LrsServer } from '../load-stats/lrs-server.js';
import type { CitadelMetrics } from '../telemetry/citadel-metrics.js';
import type { AdsServer } from './ads-server.js';

export interface XdsPortOptions {
  ads: AdsServer;
  /** The CA, once the control plane started. */
  ca: () => CertificateAuthority | undefined;
  /** The port's TLS policy once it has a certificate; plaintext only until then. */
  tls: () => ConnectionPolicy | undefined;
  tokens: TokenStore;
  issued: IssuedCertificates;
  citadel: CitadelMetrics;
  loadReports: LoadReportStore;
  loadReportingIntervalMs: number;
  log: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

/** The server of the xDS port, its services registered; not listening yet. */
export function xdsPortServer(options: XdsPortOptions): Server {
  const { log } = options;
  const server = new Server({
    // A full wildcard CDS or EDS answer for a large mesh is bigger than gRPC's 4 MiB default.
    maxSendMessageBytes: 64 * 1024 * 1024,
    maxReceiveMessageBytes: 16 * 1024 * 1024,
    // Every client of a control plane that comes back reconnects within seconds: room for them to
    // wait to be accepted (Linux's somaxconn default; istiod, in Go, listens with somaxconn).
    listenBacklog: 4096,
    onError: (err, where) => log('error', `xds server: ${where}`, { error: String(err) }),
    transportSecurity: () => options.tls() ?? { plaintext: true },
  });
  options.ads.register(server);
  server.register(
    IstioCertificateService,
    certificateService({
      ca: options.ca,
      tokens: options.tokens,
      issued: options.issued,
      log: (level, message, fields) => log(level, message, fields),
      metrics: options.citadel,
    }),
  );
  new LrsServer(options.loadReports, options.loadReportingIntervalMs).register(server);
  return server;
}
