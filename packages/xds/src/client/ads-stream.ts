// One state-of-the-world ADS stream to one xDS server (Envoy xDS protocol: "Aggregated Discovery
// Service", ACK/NACK and resource_names semantics; gRFC A57 failure modes). It keeps, per type, the
// subscribed names, the last accepted version and the last nonce; sends a request on every change;
// ACKs or NACKs every response; and on reconnect re-subscribes everything with the last versions.
import { create } from '@bufbuild/protobuf';
import { type Client, Code } from '@shoal/rpc/client';
import type { AggregatedDiscoveryService } from '../gen/envoy/service/discovery/v3/ads_pb.js';
import {
  type DiscoveryRequest,
  DiscoveryRequestSchema,
  type DiscoveryResponse,
} from '../gen/envoy/service/discovery/v3/discovery_pb.js';
import { ReconnectingStream, type StreamSetup } from './reconnecting-stream.js';

interface TypeState {
  readonly names: Set<string>;
  /** Version of the last accepted response of this type (kept across streams). */
  version: string;
  /** Nonce of the last response of this type on the current stream. */
  nonce: string;
  /** A request for the type was sent on the current stream. */
  sent: boolean;
}

export class AdsStream extends ReconnectingStream<DiscoveryRequest, DiscoveryResponse> {
  private readonly types = new Map<string, TypeState>();

  constructor(
    setup: StreamSetup,
    private readonly client: Client<typeof AggregatedDiscoveryService>,
  ) {
    super(setup);
  }

  names(typeUrl: string): readonly string[] {
    return [...(this.types.get(typeUrl)?.names ?? [])];
  }

  subscribe(typeUrl: string, name: string): void {
    let state = this.types.get(typeUrl);
    if (!state) this.types.set(typeUrl, (state = { names: new Set(), version: '', nonce: '', sent: false }));
    if (state.names.has(name)) return;
    state.names.add(name);
    if (!this.ensureRunning()) this.sendRequest(typeUrl, state); // a new call subscribes everything
  }

  unsubscribe(typeUrl: string, name: string): void {
    const state = this.types.get(typeUrl);
    if (!state?.names.delete(name)) return;
    // An empty list after a non-empty one unsubscribes from everything of the type; it only means
    // wildcard on a stream's first request for a type, which is never sent empty here.
    if (state.sent) this.sendRequest(typeUrl, state);
  }

  protected open(
    requests: AsyncIterable<DiscoveryRequest>,
    signal: AbortSignal,
  ): AsyncIterable<DiscoveryResponse> {
    return this.client.streamAggregatedResources(requests, { signal });
  }

  protected subscribedBy(request: DiscoveryRequest) {
    return { typeUrl: request.typeUrl, names: request.resourceNames };
  }

  protected onCallStart(): void {
    for (const [typeUrl, state] of this.types) {
      state.nonce = '';
      state.sent = false;
      if (state.names.size > 0) this.sendRequest(typeUrl, state); // with the last accepted version
    }
  }

  protected onMessage(response: DiscoveryResponse): void {
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
    this.sendRequest(typeUrl, state, details);
  }

  private sendRequest(typeUrl: string, state: TypeState, errorDetail?: string): void {
    if (!this.callOpen) return; // sent when the next call starts
    state.sent = true;
    this.send(
      create(DiscoveryRequestSchema, {
        typeUrl,
        versionInfo: state.version,
        responseNonce: state.nonce,
        resourceNames: [...state.names],
        ...(errorDetail !== undefined && {
          errorDetail: { code: Code.INVALID_ARGUMENT, message: errorDetail },
        }),
      }),
    );
  }
}
