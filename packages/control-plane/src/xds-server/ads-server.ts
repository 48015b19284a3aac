// The Aggregated Discovery Service on @shoal/rpc: one session per stream (state of the world or
// delta), fed from a snapshot source (snapshot-source.ts: what it needs of the snapshot cache),
// with every live client's status for the admin API. The Secret Discovery Service beside it, for
// an Envoy whose `sds-grpc` cluster points here: the same sessions, serving secrets only.
// Envoy: service.discovery.v3.AggregatedDiscoveryService, service.secret.v3.SecretDiscoveryService.

import { Code, type HandlerContext, RpcError, type Server, type ServiceImpl } from '@shoal/rpc';
import { envoy } from '@shoal/xds';
import type { BuiltResource } from '../translate/built-resource.js';
import type { ClientStatus } from './client-status.js';
import { DeltaSession } from './delta-session.js';
import type { ProxyNode } from './proxy-node.js';
import type { LeaseHandler, LiveSession, SessionOptions, SessionServer } from './session-base.js';
import type { SnapshotSource } from './snapshot-source.js';
import { SotwSession } from './sotw-session.js';
import { SharedNameSets } from './subscription.js';
import type { XdsServerMetrics } from './xds-server-metrics.js';

export interface AdsServerOptions {
  /** Where the snapshots come from (a SnapshotCache). */
  cache: SnapshotSource;
  /** Called when a client's stream starts (its first request): the stream's lease. */
  lease?: LeaseHandler;
  /** Told of pushes, NACKs and convergence (pilot_* metrics). */
  metrics?: XdsServerMetrics;
}

export interface ClientConfig {
  status: ClientStatus;
  /** type URL → resources the client was sent (SotW) or holds (delta). */
  resources: Map<string, ReadonlyMap<string, BuiltResource>>;
}

type AdsImpl = ServiceImpl<typeof envoy.AggregatedDiscoveryService>;

export class AdsServer {
  /** Shared by every session of this server. */
  private readonly server: SessionServer;
  private readonly sessions = new Set<LiveSession>();
  private streamIds = 0;
  /** Set while the server must not serve (its view may be stale): every stream fails with it. */
  private refusal: RpcError | undefined;

  constructor(options: AdsServerOptions) {
    this.server = {
      cache: options.cache,
      names: new SharedNameSets(),
      onClose: (session) => this.sessions.delete(session),
      ...(options.lease ? { lease: options.lease } : {}),
      ...(options.metrics ? { metrics: options.metrics } : {}),
    };
  }

  /** Registers the ADS service on a @shoal/rpc server. */
  register(server: Server): void {
    server.register(envoy.AggregatedDiscoveryService, this.implementation());
    server.register(envoy.SecretDiscoveryService, {
      streamSecrets: (requests, ctx) =>
        this.serve(new SotwSession(this.sessionOptions(ctx, true)), requests, (s, r) => s.receive(r)),
      deltaSecrets: (requests, ctx) =>
        this.serve(new DeltaSession(this.sessionOptions(ctx, true)), requests, (s, r) => s.receive(r)),
    });
  }

  implementation(): AdsImpl {
    return {
      streamAggregatedResources: (requests, ctx) =>
        this.serve(new SotwSession(this.sessionOptions(ctx)), requests, (s, r) => s.receive(r)),
      deltaAggregatedResources: (requests, ctx) =>
        this.serve(new DeltaSession(this.sessionOptions(ctx)), requests, (s, r) => s.receive(r)),
    };
  }

  /** Resources of one type changed for one node alone (its secrets): its streams answer again. */
  resourcesChanged(nodeId: string, typeUrl: string): void {
    for (const s of this.sessions) if (s.node?.id === nodeId) s.resourcesChanged(typeUrl);
  }

  /** Status of every client with a live stream, by node id then stream. */
  clients(): ClientStatus[] {
    const out: ClientStatus[] = [];
    for (const s of this.sessions) {
      const status = s.status; // built on each read
      if (status) out.push(status);
    }
    return out.sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : a.streamId - b.streamId));
  }

  /** The node and peer (`ip:port`) of every live stream that has sent its first request. */
  nodes(): { node: ProxyNode; peer: string }[] {
    const out: { node: ProxyNode; peer: string }[] = [];
    for (const s of this.sessions) {
      const node = s.node;
      if (node) out.push({ node, peer: s.peer });
    }
    return out;
  }

  /** What each live stream of a node was sent (newest stream first). */
  clientConfig(nodeId: string): ClientConfig[] {
    const out: ClientConfig[] = [];
    for (const s of this.sessions) {
      const status = s.status;
      if (!status || status.nodeId !== nodeId) continue;
      out.push({ status, resources: s.clientResources() });
    }
    return out.sort((a, b) => b.status.streamId - a.status.streamId);
  }

  get streamCount(): number {
    return this.sessions.size;
  }

  /** Ends every stream (the server's shutdown then completes them). */
  closeAll(): void {
    for (const s of [...this.sessions]) s.close();
  }

  /**
   * Ends every stream with UNAVAILABLE and fails new ones the same way until `resume()`: clients
   * move to another control plane (gRFC A71 fallback) rather than take this one's view as current.
   */
  refuse(reason: string): void {
    this.refusal = new RpcError(Code.UNAVAILABLE, reason);
    for (const s of [...this.sessions]) s.close(this.refusal);
  }

  resume(): void {
    this.refusal = undefined;
  }

  private sessionOptions(ctx: HandlerContext, secretsOnly = false): SessionOptions {
    const streamId = ++this.streamIds;
    const peerCertificate = ctx.security?.peerCertificate;
    const authorization = ctx.requestHeader.getString('authorization');
    const contentType = ctx.requestHeader.get('content-type');
    return {
      server: this.server,
      streamId,
      // Read when needed (a registration, the admin API): each read of a socket's address is a syscall.
      get peer() {
        return ctx.peer;
      },
      ...(peerCertificate && { peerCertificate }),
      ...(authorization !== undefined && { authorization }),
      ...(secretsOnly && { secretsOnly }),
      encodedResources: typeof contentType !== 'string' || !contentType.includes('json'),
    };
  }

  /**
   * The session is the stream's response iterator; requests are read alongside it. The session
   * ends when the requests end or fail (the client finished, cancelled or went away), when the
   * response side stops (the call ended), or with the error of a bad request. No per-stream async
   * function or generator waits here: an idle stream holds one pending read and one pending send.
   */
  private serve<Req, S extends LiveSession>(
    session: S,
    requests: AsyncIterable<Req>,
    receive: (session: S, req: Req) => void,
  ): S {
    if (this.refusal) {
      session.close(this.refusal);
      return session;
    }
    this.sessions.add(session);
    readRequests(session, requests, receive);
    return session;
  }
}

/**
 * Feeds each request to the session. After a bad request (the session closes with its error) the
 * rest are read and dropped: stopping early would cancel the call before its status is sent.
 */
function readRequests<Req, S extends LiveSession>(
  session: S,
  requests: AsyncIterable<Req>,
  receive: (session: S, req: Req) => void,
): void {
  const it = requests[Symbol.asyncIterator]();
  const onError = (err: unknown) => session.close(err);
  const onRequest = (r: IteratorResult<Req>): void => {
    if (r.done) {
      session.close();
      return;
    }
    if (!session.closed) {
      try {
        receive(session, r.value);
      } catch (err) {
        session.close(err);
      }
    }
    it.next().then(onRequest, onError);
  };
  it.next().then(onRequest, onError);
}
