// One state-of-the-world ADS stream to one xDS server (Envoy xDS protocol: "Aggregated Discovery
// Service", ACK/NACK and resource_names semantics; gRFC A57 failure modes). It keeps, per type, the
// subscribed names, the last accepted version and the last nonce; sends a request on every change;
// ACKs or NACKs every response; and reconnects with backoff that resets after a stream that
// received a response, re-subscribing everything with the last accepted versions.
import { create } from '@bufbuild/protobuf';
import { type Client, Code, RpcError } from '@shoal/rpc';
import type { XdsServerConfig } from '../bootstrap.js';
import type { Node } from '../gen/envoy/config/core/v3/base_pb.js';
import type { AggregatedDiscoveryService } from '../gen/envoy/service/discovery/v3/ads_pb.js';
import {
  type DiscoveryRequest,
  DiscoveryRequestSchema,
  type DiscoveryResponse,
} from '../gen/envoy/service/discovery/v3/discovery_pb.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import type { XdsLogger } from './log.js';
import { RequestQueue } from './request-queue.js';

/** What the stream reports to its owner (the XdsClient). */
export interface AdsStreamEvents {
  /** Applies a response; returns the errors to NACK with, empty to ACK. */
  onResponse(response: DiscoveryResponse): readonly string[];
  /** A request naming `names` of `typeUrl` was taken by the transport (does-not-exist timers start). */
  onRequestSent(typeUrl: string, names: readonly string[]): void;
  /** The stream ended. Per gRFC A57 only a stream without any response is a connectivity error. */
  onStreamClosed(error: RpcError, hadResponse: boolean): void;
}

interface TypeState {
  readonly names: Set<string>;
  /** Version of the last accepted response of this type (kept across streams). */
  version: string;
  /** Nonce of the last response of this type on the current stream. */
  nonce: string;
  /** A request for the type was sent on the current stream. */
  sent: boolean;
}

/** A short name for log lines and NACK messages, e.g. `cds`. */
export type ShortNameOf = (typeUrl: string) => string;

export class AdsStream {
  private readonly types = new Map<string, TypeState>();
  private readonly backoff: Backoff;
  private readonly stop = new AbortController();
  private queue: RequestQueue<DiscoveryRequest> | undefined;
  private nodeSent = false;
  private loop: Promise<void> | undefined;
  private sleepTimer: NodeJS.Timeout | undefined;
  private wakeSleep: (() => void) | undefined;

  constructor(
    readonly server: XdsServerConfig,
    private readonly client: Client<typeof AggregatedDiscoveryService>,
    private readonly node: Node,
    private readonly events: AdsStreamEvents,
    private readonly shortName: ShortNameOf,
    private readonly log: XdsLogger,
    backoff: BackoffOptions = {},
  ) {
    this.backoff = new Backoff(backoff);
  }

  /** `xDS server <uri>`: the prefix of every message about this stream. */
  get label(): string {
    return `xDS server ${this.server.serverUri}`;
  }

  /** Subscribed names of a type. */
  names(typeUrl: string): readonly string[] {
    return [...(this.types.get(typeUrl)?.names ?? [])];
  }

  subscribe(typeUrl: string, name: string): void {
    let state = this.types.get(typeUrl);
    if (!state) this.types.set(typeUrl, (state = { names: new Set(), version: '', nonce: '', sent: false }));
    if (state.names.has(name)) return;
    state.names.add(name);
    if (this.loop) this.sendRequest(typeUrl, state);
    else this.loop = this.run(); // its first stream subscribes everything
  }

  unsubscribe(typeUrl: string, name: string): void {
    const state = this.types.get(typeUrl);
    if (!state?.names.delete(name)) return;
    // An empty list after a non-empty one unsubscribes from everything of the type; it only means
    // wildcard on a stream's first request for a type, which is never sent empty here.
    if (state.sent) this.sendRequest(typeUrl, state);
  }

  /** True while any name is subscribed. */
  get active(): boolean {
    for (const state of this.types.values()) if (state.names.size > 0) return true;
    return false;
  }

  /** Ends the stream for good. */
  async close(): Promise<void> {
    this.stop.abort();
    clearTimeout(this.sleepTimer);
    this.wakeSleep?.();
    await this.loop;
  }

  private sendRequest(typeUrl: string, state: TypeState, errorDetail?: { message: string }): void {
    const queue = this.queue;
    if (!queue) return; // sent when the next stream starts
    const request = create(DiscoveryRequestSchema, {
      typeUrl,
      versionInfo: state.version,
      responseNonce: state.nonce,
      resourceNames: [...state.names],
      ...(errorDetail && { errorDetail: { code: Code.INVALID_ARGUMENT, message: errorDetail.message } }),
    });
    if (!this.nodeSent) {
      request.node = this.node; // only on the first request of a stream
      this.nodeSent = true;
    }
    state.sent = true;
    queue.push(request);
  }

  private async run(): Promise<void> {
    while (!this.stop.signal.aborted) {
      const started = Date.now();
      const hadResponse = await this.runOneStream();
      if (this.stop.signal.aborted) break;
      // gRFC A57: after a stream that worked, start again at once with a fresh backoff.
      if (hadResponse) {
        this.backoff.reset();
        continue;
      }
      const delay = this.backoff.next(); // counted from the start of the failed attempt, as in gRPC
      this.log('debug', `${this.label}: retrying ${delay} ms after the last attempt`);
      await this.sleep(started + delay - Date.now());
    }
  }

  /** Runs one ADS stream to its end; resolves with whether it received a response. */
  private async runOneStream(): Promise<boolean> {
    const queue = new RequestQueue<DiscoveryRequest>((r) =>
      this.events.onRequestSent(r.typeUrl, r.resourceNames),
    );
    this.queue = queue;
    this.nodeSent = false;
    for (const [typeUrl, state] of this.types) {
      state.nonce = '';
      state.sent = false;
      if (state.names.size > 0) this.sendRequest(typeUrl, state); // with the last accepted version
    }
    let hadResponse = false;
    let error: RpcError;
    try {
      this.log('debug', `${this.label}: starting ADS stream`);
      for await (const response of this.client.streamAggregatedResources(queue, {
        signal: this.stop.signal,
      })) {
        if (!hadResponse) this.log('info', `${this.label}: ADS stream established`);
        hadResponse = true;
        this.onResponse(response);
      }
      error = new RpcError(Code.UNAVAILABLE, 'the server ended the stream');
    } catch (e) {
      error = RpcError.from(e, Code.UNAVAILABLE);
    }
    queue.end();
    this.queue = undefined;
    if (!this.stop.signal.aborted) {
      const closed = new RpcError(error.code, `${this.label}: stream closed: ${error.message}`, {
        cause: error,
      });
      this.log(hadResponse ? 'info' : 'warn', closed.rawMessage);
      this.events.onStreamClosed(closed, hadResponse);
    }
    return hadResponse;
  }

  private onResponse(response: DiscoveryResponse): void {
    const typeUrl = response.typeUrl;
    const state = this.types.get(typeUrl);
    if (!state?.sent) {
      // Never asked for on this stream: answering would make an empty (wildcard) first request.
      this.log('warn', `${this.label}: ignored a response of unrequested type ${typeUrl || '(empty)'}`);
      return;
    }
    state.nonce = response.nonce;
    const errors = this.events.onResponse(response);
    const short = this.shortName(typeUrl);
    if (errors.length === 0) {
      state.version = response.versionInfo;
      this.log(
        'debug',
        `${this.label}: ACK ${short} version ${response.versionInfo} nonce ${response.nonce}`,
      );
      this.sendRequest(typeUrl, state);
      return;
    }
    // NACK: the last accepted version, this response's nonce, and every error (gRFC A46).
    const details = errors.join('; ');
    this.log('warn', `${this.label}: NACK ${short} version ${response.versionInfo}: ${details}`);
    this.sendRequest(typeUrl, state, { message: details });
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stop.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.wakeSleep = resolve;
      this.sleepTimer = setTimeout(resolve, ms);
    });
  }
}
