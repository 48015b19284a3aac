// One delta (incremental) ADS stream: subscribe/unsubscribe per type, initial_resource_versions
// on reconnect, only changed resources sent with per-resource versions, removed_resources for what
// went away (or never existed), ACK/NACK per nonce with the NACKed resource versions not resent.
// Envoy: service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources, xDS protocol
// ("Incremental xDS").

import { create } from '@bufbuild/protobuf';
import { AnySchema } from '@bufbuild/protobuf/wkt';
import { envoy, ROUTE_CONFIGURATION_TYPE_URL } from '@shoal/xds';
import type { BuiltResource } from '../translate/built-resource.js';
import type { TypeStatus } from './client-status.js';
import { SessionBase, type SessionOptions } from './session-base.js';
import { allowsWildcard, SHORT_TYPES } from './type-names.js';

interface DeltaTypeState {
  names: Set<string>;
  wildcard: boolean;
  /** name → version the client has (as far as we know; reverted on NACK). */
  known: Map<string, string>;
  /** Resources the client holds, for config dumps. */
  held: Map<string, BuiltResource>;
  /** Per outstanding nonce: what each name was before that response, to undo on NACK. */
  pending: Map<string, { version: string; before: Map<string, { version?: string; held?: BuiltResource }> }>;
  /** name → version the client rejected. */
  nacked: Map<string, string>;
  /** Subscribed names already reported as absent. */
  absentReported: Set<string>;
  mustRespond: boolean;
}

export class DeltaSession extends SessionBase<envoy.DeltaDiscoveryResponse, DeltaTypeState> {
  constructor(options: SessionOptions) {
    super(options, 'delta');
  }

  /** Resources the client holds, per type URL. */
  clientResources(): Map<string, ReadonlyMap<string, BuiltResource>> {
    return new Map([...this.types].map(([typeUrl, st]) => [typeUrl, st.held]));
  }

  receive(req: envoy.DeltaDiscoveryRequest): void {
    this.nodeFrom(req.node);
    const typeUrl = req.typeUrl;
    if (!SHORT_TYPES[typeUrl]) return;
    const status = this.typeStatus(typeUrl);
    let st = this.types.get(typeUrl);
    const first = !st;
    if (!st) {
      st = {
        names: new Set(),
        wildcard: false,
        known: new Map(Object.entries(req.initialResourceVersions)),
        held: new Map(),
        pending: new Map(),
        nacked: new Map(),
        absentReported: new Set(),
        mustRespond: true,
      };
      this.types.set(typeUrl, st);
      if (req.resourceNamesSubscribe.length === 0 && allowsWildcard(typeUrl)) st.wildcard = true;
    }
    if (req.responseNonce !== '') this.#settle(st, req, status);
    for (const name of req.resourceNamesSubscribe) {
      if (name === '*') st.wildcard = true;
      else st.names.add(name);
    }
    for (const name of req.resourceNamesUnsubscribe) {
      if (name === '*') st.wildcard = false;
      else {
        st.names.delete(name);
        st.absentReported.delete(name);
        if (!st.wildcard) {
          st.known.delete(name);
          st.held.delete(name);
        }
      }
    }
    this.recordSubscription(status, st);
    if (first || req.resourceNamesSubscribe.length > 0 || req.resourceNamesUnsubscribe.length > 0) {
      this.markDirty(typeUrl);
    }
  }

  #settle(st: DeltaTypeState, req: envoy.DeltaDiscoveryRequest, status: TypeStatus): void {
    const pending = st.pending.get(req.responseNonce);
    if (!pending) {
      status.staleRequests++;
      return;
    }
    st.pending.delete(req.responseNonce);
    if (req.errorDetail) {
      for (const [name, before] of pending.before) {
        const rejected = st.known.get(name);
        if (rejected !== undefined) st.nacked.set(name, rejected);
        if (before.version === undefined) st.known.delete(name);
        else st.known.set(name, before.version);
        if (before.held) st.held.set(name, before.held);
        else st.held.delete(name);
      }
      this.recordNack(status, pending.version, req.responseNonce, req.errorDetail);
    } else {
      this.recordAck(req.typeUrl, status, pending.version);
    }
  }

  protected routesClientMayHold(): BuiltResource[] {
    const rds = this.types.get(ROUTE_CONFIGURATION_TYPE_URL);
    if (!rds) return [];
    // Routes held, and those replaced by a push not yet ACKed (a NACK restores them).
    const routes = [...rds.held.values()];
    for (const p of rds.pending.values()) for (const b of p.before.values()) if (b.held) routes.push(b.held);
    return routes;
  }

  protected clustersGiven(st: DeltaTypeState): ReadonlyMap<string, BuiltResource> {
    return st.held;
  }

  protected respond(typeUrl: string): envoy.DeltaDiscoveryResponse | undefined {
    const st = this.types.get(typeUrl);
    const node = this.node;
    if (!st || !node) return undefined;
    const { resources: desired, hash: setHash } = this.desiredResources(typeUrl, st, node);
    const updates: BuiltResource[] = [];
    for (const r of desired.values()) {
      if (st.known.get(r.name) !== r.version && st.nacked.get(r.name) !== r.version) updates.push(r);
    }
    const removed: string[] = [];
    for (const name of st.known.keys()) if (!desired.has(name)) removed.push(name);
    for (const name of st.names) {
      if (!desired.has(name) && !st.known.has(name) && !st.absentReported.has(name)) {
        removed.push(name);
        st.absentReported.add(name);
      }
    }
    if (updates.length === 0 && removed.length === 0 && !st.mustRespond) return undefined;
    st.mustRespond = false;
    const nonce = this.nextNonce();
    const version = this.responseVersion(setHash);
    const before = new Map<string, { version?: string; held?: BuiltResource }>();
    const remember = (name: string) => {
      const v = st.known.get(name);
      const h = st.held.get(name);
      before.set(name, { ...(v !== undefined ? { version: v } : {}), ...(h ? { held: h } : {}) });
    };
    for (const r of updates) {
      remember(r.name);
      st.known.set(r.name, r.version);
      st.held.set(r.name, r);
      st.absentReported.delete(r.name);
    }
    for (const name of removed) {
      remember(name);
      st.known.delete(name);
      st.held.delete(name);
    }
    st.pending.set(nonce, { version, before });
    this.recordSent(typeUrl, version, nonce, [...st.held.keys()].sort());
    return create(envoy.DeltaDiscoveryResponseSchema, {
      systemVersionInfo: version,
      typeUrl,
      nonce,
      resources: updates.map((r) =>
        create(envoy.ResourceSchema, {
          name: r.name,
          version: r.version,
          resource: create(AnySchema, { typeUrl: r.typeUrl, value: r.bytes }),
        }),
      ),
      removedResources: removed,
      controlPlane: { identifier: 'shoal' },
    });
  }
}
