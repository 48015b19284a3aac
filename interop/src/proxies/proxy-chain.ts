// Test support: one or two real proxies of a kind between a client and a server, the shape of a
// sidecar path (client → client's sidecar → server's sidecar → server) with two hops.

import type { Daemon } from '@shoal/testing';
import { startNghttpx } from './nghttpx.js';
import { startNginx } from './nginx.js';

export type ProxyKind = 'nghttpx' | 'nginx';

export interface ProxyChain {
  readonly label: string;
  /** Where a client connects for HTTP/2 (gRPC, Triple over HTTP/2). */
  readonly h2Port: number;
  /** Where a client connects for HTTP/1.1 (Triple's JSON mode). */
  readonly http1Port: number;
  /** The proxies, nearest the client first. */
  readonly proxies: readonly Daemon[];
  close(): Promise<void>;
}

export interface ChainOptions {
  /**
   * Idle timeout (s) of the proxy nearest the client, on its client side: the client's sidecar
   * drops a quiet connection unless the client's keepalive pings keep it.
   */
  clientSideIdleTimeout?: number;
}

export async function startChain(
  kind: ProxyKind,
  hops: 1 | 2,
  serverPort: number,
  options: ChainOptions = {},
): Promise<ProxyChain> {
  const proxies: Daemon[] = [];
  try {
    let h2 = serverPort;
    let h1 = serverPort;
    for (let i = 0; i < hops; i++) {
      const idle = i === hops - 1 ? options.clientSideIdleTimeout : undefined;
      const p =
        kind === 'nghttpx'
          ? await startNghttpx({
              backendPort: h2,
              ...(idle ? { frontendIdleTimeout: idle } : {}),
            })
          : await startNginx({
              backendPort: h2,
              http1BackendPort: h1,
              ...(idle ? { idleTimeout: idle } : {}),
            });
      proxies.unshift(p);
      h2 = p.ports[0]!;
      h1 = p.ports[1] ?? p.ports[0]!;
    }
    return {
      label: `${kind} × ${hops}`,
      h2Port: h2,
      http1Port: h1,
      proxies,
      close: async () => {
        await Promise.all(proxies.map((p) => p.stop()));
      },
    };
  } catch (err) {
    await Promise.all(proxies.map((p) => p.stop()));
    throw err;
  }
}
