// Child-process entry: the providers of the mesh suite, Shoal MeshServers (xDS-enabled, each
// registering itself with the control plane over its own XdsClient) on 127.0.0.11-13 and one
// shared port, all in this one process: routed calls (spread over three) and direct calls (all to
// one) then meet the same server capacity. Argument: the control plane's ADS port.

import { createMeshServer, type MeshServer } from '@shoal/mesh';
import { createTelemetry } from '@shoal/telemetry';
import { parseBootstrap } from '@shoal/xds';
import { serveParent } from '../cp/ipc.js';
import { BenchService } from '../gen/shoal/bench/v1/bench_pb.js';
import { APP, bootstrapJson, PROVIDERS } from './mesh-config.js';

export interface ProvidersReady {
  port: number;
}

async function main(xdsPort: number): Promise<void> {
  const servers: MeshServer[] = [];
  const calls = new Map<string, number>();
  // Telemetry on, so that a client with metrics gets metadata exchange answers (its cost is
  // measured on the client; this process's CPU is not compared).
  const telemetry = createTelemetry({ env: {} });
  await serveParent(
    async () => {
      let port = 0;
      for (const p of PROVIDERS) {
        const server = createMeshServer({
          bootstrap: parseBootstrap(bootstrapJson(xdsPort, `${APP}-${p.id}`)),
          registration: { app: APP, labels: { version: p.version } },
          telemetry,
        });
        calls.set(p.id, 0);
        server.register(BenchService, {
          echo: (request) => {
            calls.set(p.id, calls.get(p.id)! + 1);
            return { text: request.text, id: request.id, payload: request.payload };
          },
        });
        port = (await server.listen(port, p.ip)).port;
        servers.push(server);
      }
      const until = Date.now() + 10_000;
      while (servers.some((s) => !s.isServing)) {
        if (Date.now() > until) throw new Error('providers got no inbound listener within 10 s');
        await new Promise((r) => setTimeout(r, 10));
      }
      return { port } satisfies ProvidersReady;
    },
    {
      /** Calls served per provider since the last ask, and this process's CPU time (µs). */
      stats: () => {
        const out = Object.fromEntries(calls);
        for (const id of calls.keys()) calls.set(id, 0);
        const cpu = process.cpuUsage();
        return { calls: out, cpuMicros: cpu.user + cpu.system };
      },
    },
  );
}

main(Number(process.argv[2])).catch((err: Error) => {
  console.error(err.stack ?? String(err));
  process.exit(1);
});
