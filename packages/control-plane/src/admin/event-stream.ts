// Live updates for the console: `GET /api/events` as server-sent events (WHATWG HTML, "Server-sent
// events"). Config and registry changes are sent as they happen; the xDS clients' status and the
// traffic report are read once a second (one traffic read at a time: a remote source may be slow),
// and sent only when they changed. Nothing is watched or read while no one is connected.

import type http from 'node:http';
import type { ConfigStore } from '../config/config-store.js';
import type { Registry } from '../registry/registry-types.js';
import type { TrafficSource } from '../traffic/traffic-source.js';
import type { ClientStatus } from '../xds-server/client-status.js';
import type { AdminEvents } from './api/events.js';
import type { StatusAnswer } from './api/status.js';

export interface EventSources {
  store: ConfigStore;
  registry: Registry;
  clients: () => ClientStatus[];
  status: () => StatusAnswer;
  traffic?: TrafficSource | undefined;
}

const SAMPLE_MS = 1000;
const KEEPALIVE_MS = 15_000;

export class EventStream {
  readonly #sources: EventSources;
  readonly #subscribers = new Set<http.ServerResponse>();
  readonly #unsubscribe: (() => void)[] = [];
  #timer: NodeJS.Timeout | undefined;
  #keepalive: NodeJS.Timeout | undefined;
  #lastClients = '';
  #lastTraffic = '';
  /** A traffic report being read (a remote source may take longer than a sample's second). */
  #readingTraffic = false;

  constructor(sources: EventSources) {
    this.#sources = sources;
  }

  /** Takes over the response: the stream starts with the current status, clients and traffic. */
  open(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    if (this.#subscribers.size === 0) this.#start();
    this.#subscribers.add(res);
    req.socket.setNoDelay(true);
    res.on('close', () => {
      this.#subscribers.delete(res);
      if (this.#subscribers.size === 0) this.#stop();
    });
    send(res, 'status', this.#sources.status());
    send(res, 'clients', { clients: this.#sources.clients() });
    const traffic = this.#sources.traffic;
    if (traffic)
      void Promise.resolve(traffic.report()).then((t) => {
        if (this.#subscribers.has(res)) send(res, 'traffic', t);
      });
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /** Ends every stream (the admin server is closing). */
  close(): void {
    for (const res of [...this.#subscribers]) res.end();
    this.#subscribers.clear();
    this.#stop();
  }

  #broadcast<E extends keyof AdminEvents>(event: E, data: AdminEvents[E]): void {
    for (const res of this.#subscribers) send(res, event, data);
  }

  #start(): void {
    const { store, registry } = this.#sources;
    this.#lastClients = JSON.stringify(this.#sources.clients());
    this.#lastTraffic = '';
    this.#unsubscribe.push(
      store.subscribe((e) => {
        this.#broadcast('config', {
          version: e.version,
          ...(e.source !== undefined ? { source: e.source } : {}),
          changes: e.changes.map(({ type, kind, namespace, name }) => ({ type, kind, namespace, name })),
        });
        this.#broadcast('status', this.#sources.status());
      }),
      registry.subscribe((e) => {
        this.#broadcast('registry', { version: e.version, reason: e.reason, hostnames: e.hostnames });
        this.#broadcast('status', this.#sources.status());
      }),
    );
    this.#timer = setInterval(() => this.#sample(), SAMPLE_MS);
    this.#keepalive = setInterval(() => {
      for (const res of this.#subscribers) res.write(': keepalive\n\n');
    }, KEEPALIVE_MS);
    this.#timer.unref();
    this.#keepalive.unref();
  }

  #stop(): void {
    for (const u of this.#unsubscribe.splice(0)) u();
    clearInterval(this.#timer);
    clearInterval(this.#keepalive);
    this.#timer = this.#keepalive = undefined;
  }

  #sample(): void {
    const clients = this.#sources.clients();
    const text = JSON.stringify(clients);
    if (text !== this.#lastClients) {
      this.#lastClients = text;
      this.#broadcast('clients', { clients });
      this.#broadcast('status', this.#sources.status());
    }
    const source = this.#sources.traffic;
    if (!source || this.#readingTraffic) return;
    this.#readingTraffic = true;
    void Promise.resolve(source.report())
      .then((traffic) => {
        const t = JSON.stringify(traffic);
        if (t !== this.#lastTraffic && this.#subscribers.size > 0) {
          this.#lastTraffic = t;
          this.#broadcast('traffic', traffic);
        }
      })
      .finally(() => (this.#readingTraffic = false));
  }
}

function send<E extends keyof AdminEvents>(res: http.ServerResponse, event: E, data: AdminEvents[E]): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}
