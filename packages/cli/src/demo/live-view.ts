// Prints the demo's table: redrawn in place on a terminal, as plain appended lines otherwise
// (logs, CI, pipes), so the output stays readable in both.

import { renderTable } from '../output/table.js';
import type { GroupStats } from './traffic-stats.js';

export interface DemoView {
  configVersion: string;
  /** How calls are secured (mTLS mode, the consumer's identity), one line each. */
  security: string[];
  /** Control-plane replicas, when the demo runs several. */
  replicas?: { name: string; pid: number | undefined; address: string; state: string }[];
  providers: {
    name: string;
    pid: number | undefined;
    address: string;
    state: string;
    callsPerSecond: number;
    /** Its xDS connection's identity (mTLS) and when that certificate expires, or `plaintext`. */
    identity: string;
  }[];
  byVersion: GroupStats[];
  byZone: GroupStats[];
}

function statsTable(title: string, rows: GroupStats[]): string {
  return renderTable(
    [title, 'CALLS/S', 'ERRORS', 'P50', 'P99'],
    rows.map((r) => [
      r.group,
      r.callsPerSecond.toFixed(1),
      r.errors,
      `${r.p50.toFixed(1)}ms`,
      `${r.p99.toFixed(1)}ms`,
    ]),
  );
}

export function renderView(view: DemoView): string {
  const replicas = view.replicas?.length
    ? [
        renderTable(
          ['CONTROL PLANE', 'PID', 'XDS', 'STATE'],
          view.replicas.map((r) => [r.name, r.pid ?? '-', r.address, r.state]),
        ),
        '',
      ]
    : [];
  return [
    `config version ${view.configVersion}`,
    ...view.security,
    '',
    ...replicas,
    renderTable(
      ['PROVIDER', 'PID', 'ADDRESS', 'STATE', 'CALLS/S', 'IDENTITY (mTLS)'],
      view.providers.map((p) => [
        p.name,
        p.pid ?? '-',
        p.address,
        p.state,
        p.callsPerSecond.toFixed(1),
        p.identity,
      ]),
    ),
    '',
    statsTable('SUBSET', view.byVersion),
    '',
    statsTable('ZONE', view.byZone),
  ].join('\n');
}

export class LiveView {
  private lines = 0;

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {}

  draw(text: string): void {
    if (this.out.isTTY) {
      // Move up over the last frame and clear it, then draw the new one.
      if (this.lines > 0) this.out.write(`\x1b[${this.lines}F\x1b[0J`);
      this.out.write(`${text}\n`);
      this.lines = text.split('\n').length;
    } else {
      this.out.write(`${new Date().toISOString()}\n${text}\n\n`);
    }
  }
}
