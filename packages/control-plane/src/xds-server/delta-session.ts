// One delta (incremental) ADS stream: subscribe/unsubscribe per type, initial_resource_versions
// on reconnect, only changed resources sent with per-resource versions, removed_resources for what
// went away (or never existed), ACK/NACK per nonce with the NACKed resource versions not resent.
// Envoy: service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources, xDS protocol
// ("Incremental xDS").

import { create } from '@bufbuild/protobuf';
import { AnySchema } from '@bufbuild/protobuf/wkt';
import { envoy, ROUTE_CONFIGURATION_TYPE_URL } from '@shoal/xds';
import type { BuiltResource } from '../translate/built-resource.js';
import { controlPlane, deltaResourceField } from './encoded-resources.js';
import { SessionBase, type SessionOptions, type TypeState } from './session-base.js';
import { NO_NAMES } from './subscription.js';
import { allowsWildcard } from './type-names.js';

interface DeltaTypeState extends TypeState {
  /** name → version the client has (as far as we know; reverted on NACK). */
  known: Map<string, string>;
  /** Resources the client holds, for config dumps. */
  held: Map<string, BuiltResource>;
  /** Per outstanding nonce, in the order sent: what each name was before that response, to undo on NACK. */
  pending: Map<string, PendingPush> | undefined;
  /** name → the versions the client rejected, newest last (at most MAX_NACKED_VERSIONS). */
  nacked: Map<string, string[]> | undefined;
  /** Subscribed names already reported as absent. */
  absentReported: Set<string> | undefined;
  mustRespond: boolean;
}

/** What one name was before a push (to restore on NACK) and the version the push gave it. */
interface NameChange {
  version?: string;
  held?: BuiltResource;
  /** The version sent; undefined when the push removed the name. */
  sent?: string;
}

interface PendingPush {
  version: string;
  changes: Map<string, NameChange>;
}

/**
 * Rejected versions remembered per name: two pushes of a name can be outstanding and both NACKed,
 * and config can flip back to either. A bound, so a client that rejects everything cannot grow it.
 */
const MAX_NACKED_VERSIONS = 4;

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
    if (!this.serves(typeUrl)) return;
    let st = this.types.get(typeUrl);
    const first = !st;
    if (!st) {
      st = {
        names: NO_NAMES,
        wildcard: false,
        known: new Map(Object.entries(req.initialResourceVersions)),
        held: new Map(),
        // Made when first needed: most streams never hold anything in them for long, and a
        // control plane holds thousands of streams with four of these states each.
        pending: undefined,
        nacked: undefined,
        absentReported: undefined,
        mustRespond: true,
        staleRequests: 0,
      };
      this.types.set(typeUrl, st);
      if (req.resourceNamesSubscribe.length === 0 && allowsWildcard(typeUrl)) st.wildcard = true;
    }
    if (req.responseNonce !== '') this.settle(st, req);
    // A changed subscription gets a new Set: one a snapshot has seen is never modified.
    const names =
      req.resourceNamesSubscribe.length > 0 || req.resourceNamesUnsubscribe.length > 0
        ? new Set(st.names)
        : undefined;
    for (const name of req.resourceNamesSubscribe) {
      if (name === '*') st.wildcard = true;
      else names!.add(name);
    }
    for (const name of req.resourceNamesUnsubscribe) {
      if (name === '*') st.wildcard = false;
      else {
        names!.delete(name);
        st.absentReported?.delete(name);
        if (!st.wildcard) {
          st.known.delete(name);
          st.held.delete(name);
        }
      }
    }
    if (names) st.names = names.size === 0 ? NO_NAMES : this.sharedNames(names);
    if (first || names) {
      this.markDirty(typeUrl);
    }
  }

  private settle(st: DeltaTypeState, req: envoy.DeltaDiscoveryRequest): void {
    const pending = st.pending?.get(req.responseNonce);
    if (!st.pending || !pending) {
      st.staleRequests++;
      return;
    }
    // A client answers pushes in order: one left unanswered before this one never will be, and
    // what it sent stays as sent. Everything still pending after this is a later push.
    for (const nonce of st.pending.keys()) {
      st.pending.delete(nonce);
      if (nonce === req.responseNonce) break;
    }
    if (st.pending.size === 0) st.pending = undefined;
    if (req.errorDetail) {
      for (const [name, change] of pending.changes) {
        if (change.sent !== undefined) rememberNacked(st, name, change.sent);
        // A later push of the same name is applied on top of what the client kept: that push
        // now undoes to the state from before this one. Otherwise this name goes back now.
        const later = firstLaterChange(st, name);
        if (later) {
          later.version = change.version;
          later.held = change.held;
          continue;
        }
        if (change.version === undefined) st.known.delete(name);
        else st.known.set(name, change.version);
        if (change.held) st.held.set(name, change.held);
        else st.held.delete(name);
      }
      this.recordNack(req.typeUrl, st, pending.version, req.responseNonce, req.errorDetail);
    } else {
      this.recordAck(req.typeUrl, st, pending.version);
    }
  }

  protected routesClientMayHold(): BuiltResource[] {
    const rds = this.types.get(ROUTE_CONFIGURATION_TYPE_URL);
    if (!rds) return [];
    // Routes held, and those replaced by a push not yet ACKed (a NACK restores them).
    const routes = [...rds.held.values()];
    for (const p of rds.pending?.values() ?? [])
      for (const c of p.changes.values()) if (c.held) routes.push(c.held);
    return routes;
  }

  protected clustersGiven(st: DeltaTypeState): ReadonlyMap<string, BuiltResource> {
    return st.held;
  }

  protected sentNames(st: DeltaTypeState): string[] {
    return [...st.held.keys()].sort();
  }

  protected respond(typeUrl: string): envoy.DeltaDiscoveryResponse | undefined {
    const st = this.types.get(typeUrl);
    const node = this.node;
    if (!st || !node) return undefined;
    const { resources: desired, hash: setHash } = this.desiredResources(typeUrl, st, node);
    const updates: BuiltResource[] = [];
    for (const r of desired.values()) {
      if (st.known.get(r.name) !== r.version && !st.nacked?.get(r.name)?.includes(r.version)) updates.push(r);
    }
    const removed: string[] = [];
    for (const name of st.known.keys()) if (!desired.has(name)) removed.push(name);
    for (const name of st.names) {
      if (!desired.has(name) && !st.known.has(name) && !st.absentReported?.has(name)) {
        removed.push(name);
        st.absentReported ??= new Set();
        st.absentReported.add(name);
      }
    }
    if (updates.length === 0 && removed.length === 0 && !st.mustRespond) return undefined;
    st.mustRespond = false;
    const nonce = this.nextNonce();
    const version = this.responseVersion(setHash);
    const changes = new Map<string, NameChange>();
    const remember = (name: string, sent: string | undefined) => {
      const v = st.known.get(name);
      const h = st.held.get(name);
      changes.set(name, {
        ...(v !== undefined ? { version: v } : {}),
        ...(h ? { held: h } : {}),
        ...(sent !== undefined ? { sent } : {}),
      });
    };
    for (const r of updates) {
      remember(r.name, r.version);
      st.known.set(r.name, r.version);
      st.held.set(r.name, r);
      st.absentReported?.delete(r.name);
    }
    for (const name of removed) {
      remember(name, undefined);
      st.known.delete(name);
      st.held.delete(name);
    }
    st.pending ??= new Map();
    st.pending.set(nonce, { version, changes });
    this.recordSent(st, version, nonce);
    const res = create(envoy.DeltaDiscoveryResponseSchema, {
      systemVersionInfo: version,
      typeUrl,
      nonce,
      removedResources: removed,
      controlPlane,
    });
    if (this.options.encodedResources) res.$unknown = updates.map(deltaResourceField);
    else
      res.resources = updates.map((r) =>
        create(envoy.ResourceSchema, {
          name: r.name,
          version: r.version,
          resource: create(AnySchema, { typeUrl: r.typeUrl, value: r.bytes }),
        }),
      );
    return res;
  }
}

/** The change to `name` of the earliest push still pending (all are later than the one settled). */
function firstLaterChange(st: DeltaTypeState, name: string): NameChange | undefined {
  for (const p of st.pending?.values() ?? []) {
    const change = p.changes.get(name);
    if (change) return change;
  }
  return undefined;
}

function rememberNacked(st: DeltaTypeState, name: string, version: string): void {
  st.nacked ??= new Map();
  const versions = st.nacked.get(name);
  if (!versions) st.nacked.set(name, [version]);
  else if (!versions.includes(version)) {
    versions.push(version);
    if (versions.length > MAX_NACKED_VERSIONS) versions.shift();
  }
}
