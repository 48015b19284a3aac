// Child-process entry: Shoal's control plane alone in a process, so its memory and CPU are
// measured without the load that drives it. The parent applies config and reads the process's
// RSS, heap and CPU time over IPC. Run with --expose-gc for steadier memory readings.
// Arguments: [--store URL] (a replica on a shared store) [--xds-port N] (to come back on the same port)
// [--data-dir DIR] (to come back with what was applied, as `shoal cp` does).

import { parseArgs } from 'node:util';
import { writeHeapSnapshot } from 'node:v8';
import { ControlPlane } from '@shoal/control-plane';
import { serveParent, wallMs } from './ipc.js';
import { processStats } from './process-stats.js';

export interface ControlPlaneReady {
  xdsPort: number;
  adminPort: number;
}

export interface ApplyAnswer {
  /** wallMs() right before the store took the config. */
  at: number;
  version: number;
  changes: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      store: { type: 'string' },
      'xds-port': { type: 'string', default: '0' },
      'data-dir': { type: 'string' },
    },
  });
  const cp = new ControlPlane({
    xdsPort: Number(values['xds-port']),
    adminPort: 0,
    host: '127.0.0.1',
    leaseGraceMs: 0,
    ...(values.store !== undefined && { store: values.store }),
    ...(values['data-dir'] !== undefined && { dataDir: values['data-dir'] }),
  });
  await serveParent(
    async () => {
      const { xds, admin } = await cp.start();
      return { xdsPort: xds.port, adminPort: admin.port } satisfies ControlPlaneReady;
    },
    {
      apply: async (yaml: string): Promise<ApplyAnswer> => {
        const at = wallMs();
        const r = await cp.store.apply(yaml);
        return { at, version: r.version, changes: r.changes.length };
      },
      /** Writes a V8 heap snapshot (to find what each stream costs); returns its path. */
      heapSnapshot: ({ file }: { file: string }): string => writeHeapSnapshot(file),
      stats: ({ collect }: { collect?: boolean } = {}) => processStats(collect, cp.ads.streamCount),
      /** The stream count alone: sampled every 100 ms while clients return, where reading the
       * process's memory (/proc under gVisor) would be a measurable part of the work. */
      streams: () => cp.ads.streamCount,
    },
  );
}

main().catch((err: Error) => {
  console.error(err.stack ?? String(err));
  process.exit(1);
});
