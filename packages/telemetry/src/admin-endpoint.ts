// A Shoal process's admin port: Prometheus text at `/stats/prometheus` (Istio's path: where the
// merged sidecar/app metrics are scraped) and `/healthz`. Read-only; it listens where it is told
// (the process's own IP in Kubernetes, 127.0.0.1 in tests).

import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Where a process serves its metrics in Prometheus' text format, as Envoy and Istio do. */
export const PROMETHEUS_PATH = '/stats/prometheus';
/** The env var that sets a process's admin port (0 picks one). */
export const ADMIN_PORT_ENV = 'SHOAL_ADMIN_PORT';
/**
 * The xDS node metadata key a process announces its admin port under, so the control plane can
 * list it for Prometheus (`GET /api/prometheus/targets`); the address is the node's first
 * INSTANCE_IPS, else the ADS stream's peer address.
 */
export const ADMIN_PORT_METADATA_KEY = 'SHOAL_ADMIN_PORT';

export interface AdminEndpointOptions {
  /** The Prometheus text of the process, made per scrape. */
  readonly metrics: () => Promise<string>;
  readonly onError?: (error: unknown) => void;
}

export class AdminEndpoint {
  private readonly server: http.Server;
  private addressValue: { host: string; port: number } | undefined;

  constructor(options: AdminEndpointOptions) {
    this.server = http.createServer((req, res) => {
      const path = (req.url ?? '/').split('?', 1)[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('use GET\n');
        return;
      }
      if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
        return;
      }
      if (path !== PROMETHEUS_PATH && path !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`no such path: ${path}\n`);
        return;
      }
      options.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
          res.end(req.method === 'HEAD' ? undefined : text);
        },
        (err: unknown) => {
          options.onError?.(err);
          res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics collection failed: ${err}\n`);
        },
      );
    });
  }

  /** Where it listens, once listening. */
  get address(): { host: string; port: number } | undefined {
    return this.addressValue;
  }

  listen(port: number, host: string): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const a = this.server.address() as AddressInfo;
        this.addressValue = { host: a.address, port: a.port };
        resolve(this.addressValue);
      });
    });
  }

  close(): Promise<void> {
    if (!this.server.listening) return Promise.resolve();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** The admin port from SHOAL_ADMIN_PORT: a port number, or undefined when unset; throws when malformed. */
export function adminPortFromEnv(env: Record<string, string | undefined> = process.env): number | undefined {
  const text = env[ADMIN_PORT_ENV];
  if (text === undefined || text === '') return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new RangeError(`${ADMIN_PORT_ENV}=${JSON.stringify(text)}: not a port number 0..65535`);
  return port;
}
