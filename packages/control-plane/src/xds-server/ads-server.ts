// The Aggregated Discovery Service on @shoal/rpc: one session per stream (state of the world or
// delta), fed from the snapshot cache, with every live client's status for the admin API.
// Envoy: service.discovery.v3.AggregatedDiscoveryService.

import type { HandlerContext, Server, ServiceImpl } from '@shoal/rpc';
import { envoy } from '@shoal/xds';
import type { BuiltResource } from '../translate/built-resource.js';
import type { ClientStatus } from './client-status.js';
import { DeltaSession } from './delta-session.js';
import type { LeaseHandler, SessionBase } from './session-base.js';
import type { SnapshotCache } from './snapshot-cache.js';
import { SotwSession } from './sotw-session.js';

export interface AdsServerOptions {
  cache: SnapshotCache;
  /** Called when a client's stream starts (its first request); returns the lease's release. */
  lease?: LeaseHandler;
}

export interface ClientConfig {
  status: ClientStatus;
  /** type URL → resources the client was sent (SotW) or holds (delta). */
  resources: Map<string, ReadonlyMap<string, BuiltResource>>;
}

type AdsImpl = ServiceImpl<typeof envoy.AggregatedDiscoveryService>;

export class AdsServer {
  readonly #cache: SnapshotCache;
  readonly #lease: LeaseHandler | undefined;
  readonly #sessions = new Set<SessionBase<unknown>>();
  #streamIds = 0;

  constructor(options: AdsServerOptions) {
    this.#cache = options.cache;
    this.#lease = options.lease;
  }

  /** Registers the ADS service on a @shoal/rpc server. */
  register(server: Server): void {
    server.register(envoy.AggregatedDiscoveryService, this.implementation());
  }

  implementation(): AdsImpl {
    return {
      streamAggregatedResources: (requests, ctx) =>
        this.#run(new SotwSession(this.#sessionOptions(ctx)), requests, (s, r) => s.receive(r), ctx),
      deltaAggregatedResources: (requests, ctx) =>
        this.#run(new DeltaSession(this.#sessionOptions(ctx)), requests, (s, r) => s.receive(r), ctx),
    };
  }

  /** Status of every client with a live stream, by node id then stream. */
  clients(): ClientStatus[] {
    const out: ClientStatus[] = [];
    for (const s of this.#sessions) if (s.status) out.push(s.status);
    return out.sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : a.streamId - b.streamId));
  }

  /** What each live stream of a node was sent (newest stream first). */
  clientConfig(nodeId: string): ClientConfig[] {
    const out: ClientConfig[] = [];
    for (const s of this.#sessions) {
      if (!s.status || s.status.nodeId !== nodeId) continue;
      out.push({ status: s.status, resources: s.clientResources() });
    }
    return out.sort((a, b) => b.status.streamId - a.status.streamId);
  }

  get streamCount(): number {
    return this.#sessions.size;
  }

  /** Ends every stream (the server's shutdown then completes them). */
  closeAll(): void {
    for (const s of [...this.#sessions]) s.close();
  }

  #sessionOptions(ctx: HandlerContext) {
    const streamId = ++this.#streamIds;
    return {
      cache: this.#cache,
      streamId,
      peer: ctx.peer,
      ...(this.#lease ? { lease: this.#lease } : {}),
    };
  }

  async *#run<Req, Res, S extends SessionBase<Res>>(
    session: S,
    requests: AsyncIterable<Req>,
    receive: (session: S, req: Req) => void,
    ctx: HandlerContext,
  ): AsyncGenerator<Res> {
    this.#sessions.add(session);
    const onAbort = () => session.close();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    // Requests are read alongside the send loop; a bad request ends the stream with its error.
    // The loop keeps draining after that: leaving it early would cancel the call before the
    // status is sent.
    const reading = (async () => {
      try {
        for await (const req of requests) {
          if (session.closed) continue;
          try {
            receive(session, req);
          } catch (err) {
            session.close(err);
          }
        }
        session.close();
      } catch (err) {
        session.close(err);
      }
    })();
    try {
      for (;;) {
        const res = await session.next();
        if (res === undefined) break;
        yield res;
      }
    } finally {
      session.close();
      ctx.signal.removeEventListener('abort', onAbort);
      this.#sessions.delete(session);
      void reading;
    }
  }
}
