// `shoal top`: a live table of the mesh's edges (who calls whom, calls/s, errors, latency) from the
// control plane's load reports (GET /api/load-reports), redrawn every interval; `--once` prints one
// table (or JSON/YAML with -o) and exits.

import type { LoadReportEdge, LoadReportView } from '@shoal/control-plane/admin-api';
import type { Command } from 'commander';
import { AdminClient, defaultAdminAddress } from '../admin-client.js';
import { CliError, ExitCode } from '../cli-error.js';
import { LiveView } from '../demo/live-view.js';
import { parseDuration } from '../duration.js';
import { parseOutputFormat, printData } from '../output/print.js';
import { renderTable } from '../output/table.js';

interface TopFlags {
  admin: string;
  window: string;
  interval: string;
  once?: boolean;
  output?: string;
}

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
const ms = (x: number | null) => (x === null ? '-' : `${x.toFixed(1)}ms`);

function source(e: LoadReportEdge): string {
  const s = e.source;
  return s.namespace && s.namespace !== 'default' ? `${s.workload}.${s.namespace}` : s.workload;
}

function destination(e: LoadReportEdge): string {
  const d = e.destination;
  const host = d.service.endsWith('.svc.cluster.local') ? d.service.split('.')[0]! : d.service;
  return `${host}${d.port ? `:${d.port}` : ''}`;
}

/** The table `shoal top` draws. */
export function renderTop(view: LoadReportView): string {
  const rows = view.edges.map((e) => [
    source(e),
    destination(e),
    e.destination.subset || '-',
    e.requestsPerSecond.toFixed(1),
    percent(e.errorRate),
    ms(e.latencyMs),
    e.inProgress,
    e.endpoints.length,
  ]);
  const table =
    rows.length === 0
      ? `no load reports in the last ${view.window}s (clients report when their clusters set lrs_server)`
      : renderTable(
          ['SOURCE', 'DESTINATION', 'SUBSET', 'CALLS/S', 'ERRORS', 'LATENCY', 'ACTIVE', 'ENDPOINTS'],
          rows,
        );
  return `${view.edges.length} edges over the last ${view.window}s, ${view.reporters.length} reporting clients (${view.generatedAt})\n\n${table}`;
}

export function registerTop(program: Command): void {
  program
    .command('top')
    .description(
      "a live table of the mesh's edges: who calls whom, calls/s, errors, latency (from load reports)",
    )
    .option('--admin <address>', 'control plane admin API', defaultAdminAddress)
    .option('--window <duration>', 'rates over this much time', '10s')
    .option('--interval <duration>', 'redraw this often', '2s')
    .option('--once', 'print once and exit')
    .option('-o, --output <format>', 'json or yaml (implies --once)')
    .action(async (flags: TopFlags) => {
      const format = parseOutputFormat(flags.output);
      const windowMs = parseDuration(flags.window, '--window');
      const intervalMs = parseDuration(flags.interval, '--interval');
      if (windowMs < 1000 || windowMs > 3600_000)
        throw new CliError('--window must be between 1s and 1h', ExitCode.usage);
      const admin = new AdminClient(flags.admin);
      const fetchView = () => admin.ok<LoadReportView>('GET', `/api/load-reports?window=${windowMs / 1000}`);
      if (format !== 'text' || flags.once) {
        const data = await fetchView();
        printData(data, format, () => renderTop(data));
        return;
      }
      const view = new LiveView();
      let stop = false;
      const done = new Promise<void>((resolve) => {
        for (const signal of ['SIGINT', 'SIGTERM'] as const)
          process.once(signal, () => {
            stop = true;
            resolve();
          });
      });
      while (!stop) {
        view.draw(renderTop(await fetchView()));
        await Promise.race([new Promise((r) => setTimeout(r, intervalMs)), done]);
      }
    });
}
