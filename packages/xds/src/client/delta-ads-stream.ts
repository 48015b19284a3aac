// One incremental (delta) ADS stream to one xDS server (Envoy xDS protocol: "Incremental xDS",
// DeltaAggregatedResources): subscriptions and unsubscriptions sent as they happen, per-resource
// versions, removed_resources, ACK/NACK by nonce, and on reconnect every subscription again with
// initial_resource_versions for what the cache holds.
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { type Client, Code } from '@shoal/rpc/client';
import type { AggregatedDiscoveryService } from '../gen/envoy/service/discovery/v3/ads_pb.js';
import {
  type DeltaDiscoveryRequest,
  DeltaDiscoveryRequestSchema,
  type DeltaDiscoveryResponse,
} from '../gen/envoy/service/discovery/v3/discovery_pb.js';
import { ReconnectingStream, type StreamSetup } from './reconnecting-stream.js';

export class DeltaAdsStream extends ReconnectingStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {
  /** typeUrl → subscribed names. */
  private readonly types = new Map<string, Set<string>>();

  constructor(
    setup: StreamSetup,
    private readonly client: Client<typeof AggregatedDiscoveryService>,
  ) {
    super(setup);
  }

  names(typeUrl: string): readonly string[] {
    return [...(this.types.get(typeUrl) ?? [])];
  }

  subscribe(typeUrl: string, name: string): void {
    let names = this.types.get(typeUrl);
    if (!names) this.types.set(typeUrl, (names = new Set()));
    if (names.has(name)) return;
    names.add(name);
    if (!this.ensureRunning()) this.request(typeUrl, { resourceNamesSubscribe: [name] });
  }

  unsubscribe(typeUrl: string, name: string): void {
    if (!this.types.get(typeUrl)?.delete(name)) return;
    this.request(typeUrl, { resourceNamesUnsubscribe: [name] });
  }

  protected open(
    requests: AsyncIterable<DeltaDiscoveryRequest>,
    signal: AbortSignal,
  ): AsyncIterable<DeltaDiscoveryResponse> {
    return this.client.deltaAggregatedResources(requests, { signal });
  }

  protected subscribedBy(request: DeltaDiscoveryRequest) {
    return { typeUrl: request.typeUrl, names: request.resourceNamesSubscribe };
  }

  protected onCallStart(): void {
    for (const [typeUrl, names] of this.types) {
      // Never an empty first subscription: for LDS and CDS that would mean wildcard.
      if (names.size === 0) continue;
      this.request(typeUrl, {
        resourceNamesSubscribe: [...names],
        initialResourceVersions: this.events.heldVersions(typeUrl),
      });
    }
  }

  protected onMessage(response: DeltaDiscoveryResponse): void {
    const { typeUrl, nonce } = response;
    if (!this.types.has(typeUrl)) {
      this.log('warn', `${this.label}: ignored a delta response of unrequested type ${typeUrl || '(empty)'}`);
      return;
    }
    const errors = this.events.onDeltaResponse(response);
    const short = this.shortName(typeUrl);
    const version = response.systemVersionInfo;
    if (errors.length === 0) {
      this.log('debug', `${this.label}: ACK ${short} (delta) version ${version} nonce ${nonce}`);
      this.request(typeUrl, { responseNonce: nonce });
      return;
    }
    const details = errors.join('; ');
    this.log('warn', `${this.label}: NACK ${short} version ${version}: ${details}`);
    this.request(typeUrl, {
      responseNonce: nonce,
      errorDetail: { code: Code.INVALID_ARGUMENT, message: details },
    });
  }

  private request(typeUrl: string, init: MessageInitShape<typeof DeltaDiscoveryRequestSchema>): void {
    if (!this.callOpen) return; // the next call subscribes everything
    this.send(create(DeltaDiscoveryRequestSchema, { ...init, typeUrl }));
  }
}
