// What both ADS stream variants (state of the world and delta) share: one call at a time to one
// xDS server, the node on the first request of every call, and reconnects with gRPC connection
// backoff that resets after a call that received a response (gRFC A57: then retry at once).
import { Code, RpcError } from '@shoal/rpc/client';
import type { XdsServerConfig } from '../bootstrap.js';
import type { Node } from '../gen/envoy/config/core/v3/base_pb.js';
import type {
  DeltaDiscoveryResponse,
  DiscoveryResponse,
} from '../gen/envoy/service/discovery/v3/discovery_pb.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import type { XdsLogger } from './log.js';
import { RequestQueue } from './request-queue.js';

/** What a stream reports to its owner (the XdsClient). */
export interface XdsStreamEvents {
  /** Applies a state-of-the-world response; returns the errors to NACK with, empty to ACK. */
  onResponse(response: DiscoveryResponse): readonly string[];
  /** Applies a delta response; returns the errors to NACK with, empty to ACK. */
  onDeltaResponse(response: DeltaDiscoveryResponse): readonly string[];
  /** Resources of `typeUrl` this client holds from the stream's server, name → version (delta reconnects). */
  heldVersions(typeUrl: string): Record<string, string>;
  /** A request subscribing `names` of `typeUrl` was taken by the transport (does-not-exist timers start). */
  onRequestSent(typeUrl: string, names: readonly string[]): void;
  /** The call ended. Per gRFC A57 only a call without any response is a connectivity error. */
  onStreamClosed(error: RpcError, hadResponse: boolean): void;
}

/** The ADS stream to one server, as the client and the cache see it. */
export interface XdsStream {
  readonly server: XdsServerConfig;
  /** `xDS server <uri>`: the prefix of every message about this stream. */
  readonly label: string;
  names(typeUrl: string): readonly string[];
  subscribe(typeUrl: string, name: string): void;
  unsubscribe(typeUrl: string, name: string): void;
  /** The transport has a connection up: requests now reach the server. */
  connectionUp(): void;
  close(): Promise<void>;
}

export interface StreamSetup {
  readonly server: XdsServerConfig;
  readonly node: Node;
  readonly events: XdsStreamEvents;
  /** A short name for log lines and NACK messages, e.g. `cds`. */
  readonly shortName: (typeUrl: string) => string;
  readonly log: XdsLogger;
  readonly backoff?: BackoffOptions;
}

interface Request {
  node?: Node;
}

export abstract class ReconnectingStream<Req extends Request, Res> implements XdsStream {
  readonly server: XdsServerConfig;
  protected readonly events: XdsStreamEvents;
  protected readonly log: XdsLogger;
  protected readonly shortName: (typeUrl: string) => string;
  private readonly node: Node;
  private readonly backoff: Backoff;
  private readonly stop = new AbortController();
  private queue: RequestQueue<Req> | undefined;
  /** Requests the transport took on this call before a connection was up (gRFC A57). */
  private takenBeforeConnect: Req[] | undefined;
  private nodeSent = false;
  private loop: Promise<void> | undefined;
  private sleepTimer: NodeJS.Timeout | undefined;
  private wakeSleep: (() => void) | undefined;

  constructor(setup: StreamSetup) {
    this.server = setup.server;
    this.node = setup.node;
    this.events = setup.events;
    this.log = setup.log;
    this.shortName = setup.shortName;
    this.backoff = new Backoff(setup.backoff);
  }

  get label(): string {
    return `xDS server ${this.server.serverUri}`;
  }

  abstract names(typeUrl: string): readonly string[];
  abstract subscribe(typeUrl: string, name: string): void;
  abstract unsubscribe(typeUrl: string, name: string): void;

  /** Opens one call. */
  protected abstract open(requests: AsyncIterable<Req>, signal: AbortSignal): AsyncIterable<Res>;
  /** A new call starts: reset per-call state and send the initial requests. */
  protected abstract onCallStart(): void;
  protected abstract onMessage(response: Res): void;
  /** The type and the names a request subscribes, for the does-not-exist timers. */
  protected abstract subscribedBy(request: Req): { typeUrl: string; names: readonly string[] };

  /** True while a call is open (requests can be sent). */
  protected get callOpen(): boolean {
    return this.queue !== undefined;
  }

  /** Starts the call loop on the first subscription; returns false when it was already running. */
  protected ensureRunning(): boolean {
    if (this.loop) return false;
    this.loop = this.run();
    return true;
  }

  connectionUp(): void {
    const taken = this.takenBeforeConnect;
    if (!taken) return;
    this.takenBeforeConnect = undefined;
    for (const request of taken) this.requestSent(request);
  }

  private requestSent(request: Req): void {
    const { typeUrl, names } = this.subscribedBy(request);
    if (names.length > 0) this.events.onRequestSent(typeUrl, names);
  }

  /** Queues a request on the open call; the first of each call carries the node. */
  protected send(request: Req): void {
    if (!this.queue) return;
    if (!this.nodeSent) {
      request.node = this.node;
      this.nodeSent = true;
    }
    this.queue.push(request);
  }

  async close(): Promise<void> {
    this.stop.abort();
    clearTimeout(this.sleepTimer);
    this.wakeSleep?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stop.signal.aborted) {
      const started = Date.now();
      const hadResponse = await this.runOneCall();
      if (this.stop.signal.aborted) break;
      // gRFC A57: after a call that worked, start again at once with a fresh backoff.
      if (hadResponse) {
        this.backoff.resetAfterHealthy();
        continue;
      }
      const probing = this.backoff.probing;
      const delay = this.backoff.next(); // counted from the start of the failed attempt, as in gRPC
      this.log(
        'debug',
        `${this.label}: ${probing ? 'probing' : 'retrying'} ${delay} ms after the last attempt`,
      );
      await this.sleep(started + delay - Date.now());
    }
  }

  /** Runs one call to its end; resolves with whether it received a response. */
  private async runOneCall(): Promise<boolean> {
    const taken: Req[] = [];
    this.takenBeforeConnect = taken;
    const queue = new RequestQueue<Req>((r) => {
      // Until the transport reports a connection, a taken request has not reached the server.
      if (this.takenBeforeConnect === taken) taken.push(r);
      else if (this.queue === queue) this.requestSent(r);
    });
    this.queue = queue;
    this.nodeSent = false;
    this.onCallStart();
    let hadResponse = false;
    let error: RpcError;
    try {
      this.log('debug', `${this.label}: starting ADS stream`);
      for await (const response of this.open(queue, this.stop.signal)) {
        if (!hadResponse) {
          this.log('info', `${this.label}: ADS stream established`);
          this.connectionUp(); // an answer proves the connection, whatever the transport said
        }
        hadResponse = true;
        this.onMessage(response);
      }
      error = new RpcError(Code.UNAVAILABLE, 'the server ended the stream');
    } catch (e) {
      error = RpcError.from(e, Code.UNAVAILABLE);
    }
    queue.end();
    this.queue = undefined;
    this.takenBeforeConnect = undefined;
    if (!this.stop.signal.aborted) {
      const closed = new RpcError(error.code, `${this.label}: stream closed: ${error.message}`, {
        cause: error,
      });
      this.log(hadResponse ? 'info' : 'warn', closed.rawMessage);
      this.events.onStreamClosed(closed, hadResponse);
    }
    return hadResponse;
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stop.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.wakeSleep = resolve;
      this.sleepTimer = setTimeout(resolve, ms);
    });
  }
}
