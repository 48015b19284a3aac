// A snapshot: what one version of the config and registry gives every xDS client, as an immutable
// value. A client's resources depend on it only through its class (namespace, locality, workload
// labels: Translator.clientContext), so go-control-plane's per-node snapshots are views of this
// one: each set is built when first asked for, shared by every client of the class with the same
// subscription, and never changes after. Every set is checked for consistency as it is built.
// go-control-plane: pkg/cache/v3 Snapshot (versioned resources per type, Consistent()).

import { type BuiltResource, setVersion } from '../translate/built-resource.js';
import type { MeshInput } from '../translate/mesh-input.js';
import type { ResourceReference } from '../translate/resource-references.js';
import { type TranslationFailure, Translator } from '../translate/translator.js';
import type { ProxyNode } from '../xds-server/proxy-node.js';
import type { ResourceSet, ServedSnapshot } from '../xds-server/snapshot-source.js';
import type { Subscription } from '../xds-server/subscription.js';
import { checkReferences, type SnapshotInconsistency } from './snapshot-consistency.js';

export interface SnapshotOptions {
  /** Told about each broken reference, once per snapshot (see snapshot-consistency.ts). */
  onInconsistency?: (inconsistency: SnapshotInconsistency) => void;
}

const EMPTY_INPUT: MeshInput = {
  version: '0',
  services: [],
  endpoints: [],
  virtualServices: [],
  destinationRules: [],
};

export class Snapshot implements ServedSnapshot {
  /** The version of the config and registry it was built from. */
  readonly version: string;
  /** Broken references found so far, each once. */
  readonly inconsistencies: SnapshotInconsistency[] = [];
  private readonly translator: Translator;
  private readonly onInconsistency: ((inconsistency: SnapshotInconsistency) => void) | undefined;
  private readonly sets = new Map<string, ResourceSet>();
  /** The same sets, by the (never modified) Set of names a subscription holds, then type and context. */
  private readonly setsByNames = new WeakMap<ReadonlySet<string>, Map<string, ResourceSet>>();
  /** Set hash → response version_info: one string shared by every stream. */
  private readonly responseVersions = new Map<string, string>();
  private readonly reported = new Set<string>();

  constructor(translator: Translator, options: SnapshotOptions = {}) {
    this.version = translator.version;
    this.translator = translator;
    this.onInconsistency = options.onInconsistency;
  }

  /** The snapshot of a mesh with nothing in it (what a control plane serves before its first build). */
  static empty(): Snapshot {
    return new Snapshot(new Translator(EMPTY_INPUT));
  }

  /** Resources the translation could not build (left out of every set). */
  get failures(): readonly TranslationFailure[] {
    return this.translator.failures;
  }

  resources(typeUrl: string, subscription: Subscription, node: ProxyNode): ResourceSet {
    // Streams subscribed alike share one Set of names (subscription.ts): found by that Set, a
    // push to thousands of streams neither sorts nor joins their names once per stream.
    const context = `${typeUrl}\u0000${this.translator.clientContext(typeUrl, node)}\u0000${subscription.wildcard ? '*' : ''}`;
    let bySet = this.setsByNames.get(subscription.names);
    if (!bySet) {
      bySet = new Map();
      this.setsByNames.set(subscription.names, bySet);
    }
    let set = bySet.get(context);
    if (set) return set;
    const names = [...subscription.names].filter((n) => n !== '*').sort();
    const key = `${context}\u0000${names.join('\u0000')}`;
    set = this.sets.get(key);
    if (!set) {
      set = this.build(typeUrl, names, subscription.wildcard, node);
      this.sets.set(key, set);
    }
    bySet.set(context, set);
    return set;
  }

  responseVersion(setHash: string): string {
    let version = this.responseVersions.get(setHash);
    if (version === undefined) {
      version = `${this.version}-${setHash.slice(0, 8)}`;
      this.responseVersions.set(setHash, version);
    }
    return version;
  }

  private build(typeUrl: string, names: string[], wildcard: boolean, node: ProxyNode): ResourceSet {
    const all = new Set(names);
    if (wildcard) for (const name of this.translator.wildcardNames(typeUrl, node)) all.add(name);
    const lookup = (ref: ResourceReference) => this.translator.resource(ref.typeUrl, ref.name, node);
    const resources = new Map<string, BuiltResource>();
    for (const name of [...all].sort()) {
      const built = this.translator.resource(typeUrl, name, node);
      if (!built) continue;
      resources.set(name, built);
      for (const broken of checkReferences(built, lookup)) this.report(broken);
    }
    return { resources, version: setVersion(resources.values()) };
  }

  private report(inconsistency: SnapshotInconsistency): void {
    const key = `${inconsistency.typeUrl}\u0000${inconsistency.name}\u0000${inconsistency.missing.typeUrl}\u0000${inconsistency.missing.name}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.inconsistencies.push(inconsistency);
    this.onInconsistency?.(inconsistency);
  }
}
