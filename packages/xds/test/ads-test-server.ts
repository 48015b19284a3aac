// A small state-of-the-world ADS server on @shoal/rpc for the client's tests (internal): a real
// gRPC server on 127.0.0.1 that serves the resources a test sets, answers each stream's requests
// the way the xDS protocol says (resources named in the request; a new nonce per response; no answer
// to an ACK or NACK), records every request, and can be stopped and restarted on the same port.
import { create } from '@bufbuild/protobuf';
import type { Any } from '@bufbuild/protobuf/wkt';
import { Server, type ServerTlsOptions } from '@shoal/rpc';
import { RequestQueue } from '../src/client/request-queue.js';
import { AggregatedDiscoveryService } from '../src/gen/envoy/service/discovery/v3/ads_pb.js';
import {
  type DeltaDiscoveryRequest,
  type DiscoveryRequest,
  type DiscoveryResponse,
  DiscoveryResponseSchema,
} from '../src/gen/envoy/service/discovery/v3/discovery_pb.js';
import { DeltaTestSession } from './delta-test-session.js';

export interface TestStream {
  readonly id: number;
  /** Names last requested per type. */
  readonly subscribed: Map<string, string[]>;
  /** Sends a response as it is (a nonce is added when missing). */
  send(response: Partial<Pick<DiscoveryResponse, 'typeUrl' | 'versionInfo' | 'nonce' | 'resources'>>): string;
  end(): void;
}

export interface RecordedRequest {
  readonly stream: TestStream;
  readonly request: DiscoveryRequest;
}

export interface TypeResources {
  version: string;
  resources: Map<string, Any>;
}

export class AdsTestServer {
  readonly requests: RecordedRequest[] = [];
  readonly streams: TestStream[] = [];
  /** When false the server only records requests; tests answer with stream.send(). */
  autoRespond = true;
  private server: Server | undefined;
  private port = 0;
  private nonce = 0;
  private readonly state = new Map<string, TypeResources>();
  private waiters: { match: (r: RecordedRequest) => boolean; resolve: (r: RecordedRequest) => void }[] = [];
  private live = new Set<{ stream: TestStream; queue: RequestQueue<DiscoveryResponse> }>();
  /** Every delta request received, in order, with the index of its stream. */
  readonly deltaRequests: { stream: number; request: DeltaDiscoveryRequest }[] = [];
  private readonly deltaSessions = new Set<DeltaTestSession>();
  private deltaStreams = 0;

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  constructor(private readonly tls?: ServerTlsOptions) {}

  async start(): Promise<this> {
    const server = new Server({ onError: () => {}, ...(this.tls && { tls: this.tls }) });
    server.register(AggregatedDiscoveryService, {
      streamAggregatedResources: (requests, context) => this.serve(requests, context.signal),
      deltaAggregatedResources: (requests, context) => {
        const session = new DeltaTestSession(this.deltaStreams++, this.state, () => String(++this.nonce));
        this.deltaSessions.add(session);
        return session.serve(requests, context.signal, (request) => {
          this.deltaRequests.push({ stream: session.id, request });
        });
      },
    });
    this.port = (await server.listen(this.port, '127.0.0.1')).port;
    this.server = server;
    return this;
  }

  /** Stops at once, like a killed process: streams are cut, the port closes. */
  async stop(): Promise<void> {
    this.live.clear();
    this.deltaSessions.clear();
    await this.server?.close(0);
    this.server = undefined;
  }

  /** Stops, stays down for `downtimeMs` (a process restarting), and starts on the same port. */
  async restart(downtimeMs = 0): Promise<void> {
    await this.stop();
    if (downtimeMs > 0) await new Promise((r) => setTimeout(r, downtimeMs));
    await this.start();
  }

  /** Sets the resources of a type and pushes them to every stream subscribed to it. */
  set(typeUrl: string, version: string, resources: Record<string, Any>): void {
    this.state.set(typeUrl, { version, resources: new Map(Object.entries(resources)) });
    if (!this.autoRespond) return;
    for (const session of this.deltaSessions) session.push(typeUrl);
    for (const { stream } of this.live) if (stream.subscribed.has(typeUrl)) this.answer(stream, typeUrl);
  }

  /** The next request (already received or future) matching `match`, after `from` requests. */
  nextRequest(match: (r: RecordedRequest) => boolean, from = 0, timeoutMs = 5000): Promise<RecordedRequest> {
    const found = this.requests.slice(from).find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('ADS test server: no matching request')), timeoutMs);
      this.waiters.push({
        match,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      });
    });
  }

  private serve(
    requests: AsyncIterable<DiscoveryRequest>,
    signal: AbortSignal,
  ): AsyncIterable<DiscoveryResponse> {
    const queue = new RequestQueue<DiscoveryResponse>();
    const stream: TestStream = {
      id: this.streams.length,
      subscribed: new Map(),
      send: (r) => {
        const nonce = r.nonce ?? String(++this.nonce);
        queue.push(create(DiscoveryResponseSchema, { ...r, nonce }));
        return nonce;
      },
      end: () => queue.end(),
    };
    const entry = { stream, queue };
    this.streams.push(stream);
    this.live.add(entry);
    signal.addEventListener('abort', () => queue.end(), { once: true });
    void (async () => {
      try {
        for await (const request of requests) this.onRequest(stream, request);
      } catch {
        // the client went away
      }
      this.live.delete(entry);
      queue.end();
    })();
    return queue;
  }

  private onRequest(stream: TestStream, request: DiscoveryRequest): void {
    const recorded = { stream, request };
    this.requests.push(recorded);
    const previous = stream.subscribed.get(request.typeUrl);
    stream.subscribed.set(request.typeUrl, [...request.resourceNames]);
    for (const w of this.waiters.filter((w) => w.match(recorded))) w.resolve(recorded);
    this.waiters = this.waiters.filter((w) => !w.match(recorded));
    const namesChanged = previous === undefined || previous.join('\0') !== request.resourceNames.join('\0');
    // First request of a type, or new names: answer. An ACK/NACK with the same names: do not.
    if (this.autoRespond && (namesChanged || request.responseNonce === ''))
      this.answer(stream, request.typeUrl);
  }

  private answer(stream: TestStream, typeUrl: string): void {
    const state = this.state.get(typeUrl);
    if (!state) return;
    const names = stream.subscribed.get(typeUrl) ?? [];
    const resources = names.flatMap((n) => {
      const r = state.resources.get(n);
      return r ? [r] : [];
    });
    stream.send({ typeUrl, versionInfo: state.version, resources });
  }
}
