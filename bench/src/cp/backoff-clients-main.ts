// Child-process entry for the reconnect-stampede measurement: `count` simulated clients that come
// back to a control plane exactly as @shoal/xds does, at a fraction of its CPU, so that thousands of
// them in one process behave like thousands of processes. Each holds a SotW ADS stream (SimStream);
// when it ends, the client retries on @shoal/xds's own Backoff schedule (reset after a stream that
// worked, as gRFC A57 says), each try a new ADS stream on a new connection (refused while the
// control plane is down) that asks again at once for everything the last one held, with the
// versions it accepted, as @shoal/xds's AdsStream does on a new stream. Argument: JSON
// {xdsPort, count, listener, idPrefix}.

import { createClient, GrpcTransport } from '@shoal/rpc';
import { envoy } from '@shoal/xds';
import { Backoff } from '@shoal/xds/plugins';
import { serveParent, wallMs } from './ipc.js';
import { SimStream, type Subscriptions } from './sim-stream.js';

interface Settings {
  xdsPort: number;
  count: number;
  listener: string;
  idPrefix: string;
}

/** Why tries failed (connection refused while it is down, and anything else), by message. */
class Failures {
  readonly counts = new Map<string, number>();
  add(err: unknown): void {
    const text = String((err as Error)?.message ?? err)
      .replace(/\d+/g, 'N')
      .slice(0, 120);
    this.counts.set(text, (this.counts.get(text) ?? 0) + 1);
  }
}
const failures = new Failures();

class Client {
  /** wallMs() at the start of the first try that found the control plane after each outage. */
  readonly found: number[] = [];
  /** wallMs() when each of those tries had the whole config (listener to endpoints). */
  readonly synced: number[] = [];
  private readonly backoff = new Backoff();
  /** One transport for the client's life, as an XdsClient holds one per server: each try dials anew. */
  private readonly transport: GrpcTransport;
  private readonly ads: ReturnType<typeof createClient<typeof envoy.AggregatedDiscoveryService>>;
  private stream: SimStream | undefined;
  /** What the last synced stream held, asked for again by the next. */
  private held: Subscriptions | undefined;
  private closed = false;

  constructor(
    private readonly settings: Settings,
    private readonly id: string,
  ) {
    this.transport = new GrpcTransport({ address: `127.0.0.1:${settings.xdsPort}` });
    this.ads = createClient(envoy.AggregatedDiscoveryService, this.transport);
  }

  /** Opens a stream; resolves once it is synced, and follows it with reconnects afterwards. */
  async open(): Promise<void> {
    const stream = new SimStream(this.ads, this.id, this.settings.listener, this.held);
    this.stream = stream;
    const ended = stream.start();
    await stream.synced;
    void ended.then(() => {
      this.held = stream.subscriptions();
      return this.reconnect();
    });
  }

  /**
   * Each try is what @shoal/xds does: a new ADS stream on a new connection, which fails at once
   * while the port refuses connections. (A bare TCP probe first would cost the returning control
   * plane a second connection per client.)
   */
  private async reconnect(): Promise<void> {
    this.backoff.resetAfterHealthy(); // the stream had responses: retry at once, then back off
    while (!this.closed) {
      const started = Date.now();
      const at = wallMs();
      try {
        await this.open();
        this.found.push(at);
        this.synced.push(wallMs());
        return;
      } catch (err) {
        // refused, or the stream failed before it synced: back off
        if (this.found.length === 0) failures.add(err);
      }
      const delay = this.backoff.next();
      await new Promise((r) => setTimeout(r, Math.max(0, started + delay - Date.now())));
    }
  }

  close(): void {
    this.closed = true;
    this.stream?.close();
    this.transport.close();
  }
}

async function main(settings: Settings): Promise<void> {
  const clients: Client[] = [];
  const connect = async (): Promise<number> => {
    for (let i = 0; i < settings.count; i += 50) {
      const batch: Promise<void>[] = [];
      for (let j = i; j < Math.min(settings.count, i + 50); j++) {
        const c = new Client(settings, `${settings.idPrefix}-${j}`);
        clients.push(c);
        batch.push(c.open());
      }
      await Promise.all(batch);
    }
    return clients.length;
  };
  const close = (): void => {
    for (const c of clients) c.close();
  };
  /** When each client first found the control plane again (wallMs), after the last outage. */
  const found = (): number[] => clients.flatMap((c) => c.found.slice(0, 1));
  /** When each client had the config again (wallMs), after the last outage. */
  const synced = (): number[] => clients.flatMap((c) => c.synced.slice(0, 1));
  /** CPU time of this process so far, µs. */
  const cpu = (): number => {
    const { user, system } = process.cpuUsage();
    return user + system;
  };
  await serveParent(async () => ({ pid: process.pid }), {
    connect,
    close,
    found,
    synced,
    cpu,
    failures: () => [...failures.counts],
  });
}

main(JSON.parse(process.argv[2] ?? '{}') as Settings).catch((err: Error) => {
  console.error(err.stack ?? String(err));
  process.exit(1);
});
