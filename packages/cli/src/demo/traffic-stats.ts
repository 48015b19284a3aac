// Rolling traffic statistics for `shoal demo`: calls per second, errors and latency percentiles
// over the last few seconds, grouped by any labels of the provider that answered (version, zone).

export interface CallSample {
  at: number;
  ok: boolean;
  latencyMs: number;
  labels: Record<string, string>;
}

export interface GroupStats {
  group: string;
  callsPerSecond: number;
  errors: number;
  p50: number;
  p99: number;
}

export class TrafficStats {
  private samples: CallSample[] = [];

  constructor(
    readonly windowMs = 5000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  record(ok: boolean, latencyMs: number, labels: Record<string, string>): void {
    this.samples.push({ at: this.now(), ok, latencyMs, labels });
  }

  /** Stats per value of `label` (e.g. per version), over the window, with an `all` row last. */
  by(label: string): GroupStats[] {
    this.trim();
    const groups = new Map<string, CallSample[]>();
    for (const s of this.samples) {
      const key = s.labels[label] ?? (s.ok ? 'unknown' : 'failed');
      const list = groups.get(key);
      if (list) list.push(s);
      else groups.set(key, [s]);
    }
    const rows = [...groups.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([group, list]) => this.stats(group, list));
    rows.push(this.stats('all', this.samples));
    return rows;
  }

  private stats(group: string, list: CallSample[]): GroupStats {
    const seconds = this.windowMs / 1000;
    const latencies = list
      .filter((s) => s.ok)
      .map((s) => s.latencyMs)
      .sort((a, b) => a - b);
    const pick = (p: number) =>
      latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]! : 0;
    return {
      group,
      callsPerSecond: list.length / seconds,
      errors: list.filter((s) => !s.ok).length,
      p50: pick(0.5),
      p99: pick(0.99),
    };
  }

  private trim(): void {
    const cutoff = this.now() - this.windowMs;
    let i = 0;
    while (i < this.samples.length && this.samples[i]!.at < cutoff) i++;
    if (i > 0) this.samples = this.samples.slice(i);
  }
}
