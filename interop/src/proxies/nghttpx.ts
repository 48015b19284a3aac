// Test support: nghttpx (Debian's nghttp2-proxy) as a reverse proxy in front of an HTTP/2
// backend: a plaintext frontend taking HTTP/1.1 and h2c (prior knowledge) on one port, and h2c to
// the backend, as a sidecar would carry Triple and gRPC; or mutual TLS on either side, as
// Istio's sidecars talk to each other. One worker thread, no config file read.
// nghttpx: https://nghttp2.org/documentation/nghttpx.1.html

import { join } from 'node:path';
import { Daemon, freePort, type MeshCertificateFiles, tempDir } from '@shoal/testing';

export interface NghttpxOptions {
  /** Mutual TLS on the frontend: this certificate, and client certificates required from `ca`. */
  frontendTls?: MeshCertificateFiles;
  /** Mutual TLS to the backend: its certificate checked against `ca`, this one presented. */
  backendTls?: MeshCertificateFiles;
  backendPort: number;
  /** Default 127.0.0.1. */
  backendHost?: string;
  /**
   * Seconds a frontend HTTP/2 connection may go without receiving a byte before nghttpx closes
   * it (its default is 180); a client's keepalive pings count.
   */
  frontendIdleTimeout?: number;
}

export async function startNghttpx(options: NghttpxOptions): Promise<Daemon> {
  const dir = tempDir('nghttpx');
  const port = await freePort();
  const log = join(dir, 'error.log');
  const args = [
    '--conf=/dev/null',
    `--frontend=127.0.0.1,${port}${options.frontendTls ? '' : ';no-tls'}`,
    `--backend=${options.backendHost ?? '127.0.0.1'},${options.backendPort};;proto=h2${options.backendTls ? ';tls;sni=localhost' : ''}`,
    '--single-thread',
    '--workers=1',
    `--pid-file=${join(dir, 'nghttpx.pid')}`,
    `--errorlog-file=${log}`,
    '--log-level=WARN',
    '--no-via',
    '--no-server-push',
    // gRPC streams may stay quiet for long: no read timeout on a stream, as with Envoy's defaults.
    '--stream-read-timeout=0',
    '--stream-write-timeout=0',
    `--frontend-http2-read-timeout=${options.frontendIdleTimeout ?? 180}s`,
  ];
  const f = options.frontendTls;
  if (f) args.push('--verify-client', `--verify-client-cacert=${f.ca}`, f.key, f.cert);
  const b = options.backendTls;
  if (b) args.push(`--cacert=${b.ca}`, `--client-private-key-file=${b.key}`, `--client-cert-file=${b.cert}`);
  return Daemon.start({ command: 'nghttpx', args, ports: [port], dir, log });
}
