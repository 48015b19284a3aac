// One state-of-the-world ADS stream: per-type subscriptions (named, and wildcard for LDS/CDS),
// per-type nonces, ACK/NACK detection, stale-nonce requests ignored, full resource sets per
// response, a NACKed version never resent, and clusters still referenced by the routes a client
// holds kept until it ACKs routes that no longer use them (make-before-break).
// Envoy: service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources, xDS protocol
// ("ACK/NACK and resource type instance version", "How the client specifies what resources to return").

import { create } from '@bufbuild/protobuf';
import { AnySchema } from '@bufbuild/protobuf/wkt';
import { envoy, ROUTE_CONFIGURATION_TYPE_URL } from '@shoal/xds';
import type { BuiltResource } from '../translate/built-resource.js';
import { controlPlane, encodedSotwResponse } from './encoded-resources.js';
import { SessionBase, type SessionOptions, type TypeState } from './session-base.js';
import { NO_NAMES } from './subscription.js';
import { allowsWildcard } from './type-names.js';

interface SotwTypeState extends TypeState {
  /** Wildcard from an empty first request (an empty list later keeps it). */
  legacyWildcard: boolean;
  sentHash?: string;
  sent: ReadonlyMap<string, BuiltResource>;
  /** What the client last ACKed (it keeps that through a NACK). */
  acked: ReadonlyMap<string, BuiltResource>;
  nackedHash?: string;
  mustRespond: boolean;
}

export class SotwSession extends SessionBase<envoy.DiscoveryResponse, SotwTypeState> {
  constructor(options: SessionOptions) {
    super(options, 'sotw');
  }

  /** Resources last sent, per type URL. */
  clientResources(): Map<string, ReadonlyMap<string, BuiltResource>> {
    return new Map([...this.types].map(([typeUrl, st]) => [typeUrl, st.sent]));
  }

  receive(req: envoy.DiscoveryRequest): void {
    this.nodeFrom(req.node);
    const typeUrl = req.typeUrl;
    if (!this.serves(typeUrl)) return; // a type we do not serve: nothing exists
    let st = this.types.get(typeUrl);
    const first = !st;
    if (!st) {
      // Every field from the start: V8 then keeps them inside the object, with no separate
      // property array added when the first response sets the rest (thousands of these live).
      st = {
        names: NO_NAMES,
        wildcard: false,
        legacyWildcard: false,
        sentHash: undefined,
        sent: EMPTY_RESOURCES,
        acked: EMPTY_RESOURCES,
        nackedHash: undefined,
        mustRespond: false,
        sentVersion: undefined,
        sentNonce: undefined,
        sentAt: undefined,
        ackedVersion: undefined,
        ackedAt: undefined,
        lastNack: undefined,
        staleRequests: 0,
      };
      this.types.set(typeUrl, st);
    }
    if (req.responseNonce !== '' && st.sentNonce !== undefined && req.responseNonce !== st.sentNonce) {
      st.staleRequests++;
      return;
    }
    if (st.sentNonce !== undefined && req.responseNonce === st.sentNonce) {
      if (req.errorDetail) {
        st.nackedHash = st.sentHash;
        this.recordNack(typeUrl, st, st.sentVersion ?? '', st.sentNonce, req.errorDetail);
      } else {
        st.acked = st.sent;
        this.recordAck(typeUrl, st, req.versionInfo);
      }
    }
    const requested = req.resourceNames;
    if (first && requested.length === 0 && allowsWildcard(typeUrl)) st.legacyWildcard = true;
    // Legacy wildcard ends once the client names resources; after that an empty list means none.
    else if (requested.length > 0) st.legacyWildcard = false;
    const wildcard = requested.includes('*') || (st.legacyWildcard && requested.length === 0);
    // An ACK repeats the subscription: the Set held stays, no new one per request.
    const changed = wildcard !== st.wildcard || !sameNames(st.names, requested);
    if (changed) {
      const names = new Set(requested);
      names.delete('*');
      // Streams subscribed to the same names share one (never modified) Set.
      st.names = names.size === 0 ? NO_NAMES : this.sharedNames(names);
    }
    st.wildcard = wildcard;
    // The first request of a type always gets an answer; LDS/CDS answer every subscription change,
    // since a name missing from their full set is how a client learns it does not exist.
    if (first || (changed && allowsWildcard(typeUrl))) st.mustRespond = true;
    if (first || changed) this.markDirty(typeUrl);
  }

  protected respond(typeUrl: string): envoy.DiscoveryResponse | undefined {
    const st = this.types.get(typeUrl);
    const node = this.node;
    if (!st || !node) return undefined;
    const { resources, hash } = this.desiredResources(typeUrl, st, node);
    if (hash === st.nackedHash) return undefined; // never resend what the client rejected
    if (hash === st.sentHash && !st.mustRespond) return undefined;
    st.mustRespond = false;
    const nonce = this.nextNonce();
    const version = this.responseVersion(hash);
    st.sentHash = hash;
    st.sent = resources;
    this.recordSent(st, version, nonce);
    if (this.options.encodedResources) return encodedSotwResponse(typeUrl, version, nonce, resources);
    return create(envoy.DiscoveryResponseSchema, {
      versionInfo: version,
      typeUrl,
      nonce,
      resources: [...resources.values()].map((r) =>
        create(AnySchema, { typeUrl: r.typeUrl, value: r.bytes }),
      ),
      controlPlane,
    });
  }

  protected routesClientMayHold(): BuiltResource[] {
    const rds = this.types.get(ROUTE_CONFIGURATION_TYPE_URL);
    // Until it ACKs the routes last sent, the client may hold either those or the ACKed ones.
    return rds ? [...rds.sent.values(), ...rds.acked.values()] : [];
  }

  protected clustersGiven(st: SotwTypeState): ReadonlyMap<string, BuiltResource> {
    return st.sent;
  }

  protected sentNames(st: SotwTypeState): string[] {
    return [...st.sent.keys()];
  }
}

const EMPTY_RESOURCES: ReadonlyMap<string, BuiltResource> = new Map();

/** Whether a request names exactly the subscribed names (`*` aside, which is the wildcard flag). */
function sameNames(names: ReadonlySet<string>, requested: readonly string[]): boolean {
  let count = 0;
  for (const n of requested) {
    if (n === '*') continue;
    if (!names.has(n)) return false;
    count++;
  }
  if (count < names.size) return false;
  // Every name requested is subscribed: the sets are equal when the request names as many
  // distinct ones. Without duplicates (the usual case) the count says it.
  const distinct = new Set(requested);
  distinct.delete('*');
  return distinct.size === names.size;
}
