// One delta ADS stream of the client's test server (internal; Envoy xDS protocol, "Incremental
// xDS"): per type the names subscribed and the versions the client holds (initial_resource_versions
// on a new stream), and each response sends only resources whose version changed, plus
// removed_resources for held ones that went away and subscribed ones that do not exist.
import { createHash } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import type { Any } from '@bufbuild/protobuf/wkt';
import { RequestQueue } from '../src/client/request-queue.js';
import {
  type DeltaDiscoveryRequest,
  type DeltaDiscoveryResponse,
  DeltaDiscoveryResponseSchema,
} from '../src/gen/envoy/service/discovery/v3/discovery_pb.js';
import type { TypeResources } from './ads-test-server.js';

interface DeltaTypeState {
  readonly names: Set<string>;
  /** name → version the client holds. */
  readonly held: Map<string, string>;
  /** Subscribed names already reported as absent. */
  readonly absent: Set<string>;
}

/** A resource's version: a digest of its bytes, so unchanged resources are never re-sent. */
export function resourceVersion(resource: Any): string {
  return createHash('sha256').update(resource.value).digest('hex').slice(0, 12);
}

export class DeltaTestSession {
  private readonly types = new Map<string, DeltaTypeState>();
  private readonly queue = new RequestQueue<DeltaDiscoveryResponse>();
  private live = true;

  constructor(
    readonly id: number,
    private readonly state: ReadonlyMap<string, TypeResources>,
    private readonly nextNonce: () => string,
  ) {}

  serve(
    requests: AsyncIterable<DeltaDiscoveryRequest>,
    signal: AbortSignal,
    record: (request: DeltaDiscoveryRequest) => void,
  ): AsyncIterable<DeltaDiscoveryResponse> {
    signal.addEventListener('abort', () => this.end(), { once: true });
    void (async () => {
      try {
        for await (const request of requests) {
          record(request);
          this.onRequest(request);
        }
      } catch {
        // the client went away
      }
      this.end();
    })();
    return this.queue;
  }

  /** The resources of `typeUrl` changed: tell the client what it is missing. */
  push(typeUrl: string): void {
    if (this.live && this.types.has(typeUrl)) this.respond(typeUrl, false);
  }

  private end(): void {
    this.live = false;
    this.queue.end();
  }

  private onRequest(request: DeltaDiscoveryRequest): void {
    let st = this.types.get(request.typeUrl);
    if (!st) {
      st = {
        names: new Set(),
        held: new Map(Object.entries(request.initialResourceVersions)),
        absent: new Set(),
      };
      this.types.set(request.typeUrl, st);
    }
    for (const name of request.resourceNamesSubscribe) st.names.add(name);
    for (const name of request.resourceNamesUnsubscribe) {
      st.names.delete(name);
      st.held.delete(name);
      st.absent.delete(name);
    }
    // A NACK leaves what the client holds as it was; an ACK changes nothing either.
    if (request.resourceNamesSubscribe.length > 0) this.respond(request.typeUrl, true);
  }

  private respond(typeUrl: string, always: boolean): void {
    const st = this.types.get(typeUrl)!;
    const resources = this.state.get(typeUrl)?.resources ?? new Map<string, Any>();
    const updates = [];
    const removed: string[] = [];
    for (const name of st.names) {
      const resource = resources.get(name);
      if (!resource) {
        if (st.held.delete(name) || !st.absent.has(name)) removed.push(name);
        st.absent.add(name);
        continue;
      }
      st.absent.delete(name);
      const version = resourceVersion(resource);
      if (st.held.get(name) === version) continue;
      st.held.set(name, version);
      updates.push({ name, version, resource });
    }
    if (!always && updates.length === 0 && removed.length === 0) return;
    this.queue.push(
      create(DeltaDiscoveryResponseSchema, {
        typeUrl,
        systemVersionInfo: this.state.get(typeUrl)?.version ?? '',
        nonce: this.nextNonce(),
        resources: updates,
        removedResources: removed,
      }),
    );
  }
}
