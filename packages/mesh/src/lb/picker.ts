// The load-balancing interfaces. A policy (LbPolicy) is parsed from config once, builds a Picker
// for each endpoint set, and the Picker runs per call (gRPC's LB policy / picker split).

import type { Random } from '../support/random-source.js';
import type { MeshEndpoint } from './endpoint.js';

/** What a picker may look at for one call. */
export interface PickContext {
  /** The request hash from the route's hash policies (gRFC A42); hash policies pick randomly without it. */
  readonly requestHash?: bigint;
}

/** A picker's answer: the endpoint, and a callback told how the call ended. */
export interface Pick {
  readonly endpoint: MeshEndpoint;
  /**
   * Called exactly once when the call ends, if set (least_request counts outstanding calls,
   * shortest_response also times successful calls). `ok` defaults to true; extra calls are ignored.
   */
  readonly done: ((ok?: boolean) => void) | undefined;
}

/** Picks an endpoint for each call from one set of endpoints. */
export interface Picker {
  /** An endpoint for this call, or undefined when the set is empty. Never throws. */
  pick(ctx?: PickContext): Pick | undefined;
  /** The endpoints this picker chooses from, in build order. */
  readonly endpoints: readonly MeshEndpoint[];
}

/**
 * What a policy gets when it builds a picker: its random source, the picker it replaces, and a clock for
 * response times.
 */
export interface BuildOptions {
  readonly random: Random;
  /** The picker this one replaces, if any; policies carry state across (outstanding counts). */
  readonly previous?: Picker;
  /** Milliseconds for response timing (shortest_response); performance.now by default. */
  readonly now?: () => number;
}

/** A parsed policy config: builds a picker per endpoint set. */
export interface LbPolicy {
  readonly name: string;
  /**
   * True for hash-based policies (ring_hash, maglev). The locality picker gives them one flat
   * endpoint list per priority, with locality weights folded into endpoint weights (gRFC A42),
   * because picking a locality at random would break hash affinity.
   */
  readonly hashBased: boolean;
  build(endpoints: readonly MeshEndpoint[], options: BuildOptions): Picker;
}

/** Parses a policy's config object (`path` names it in errors) into a policy. */
export type LbPolicyFactory = (config: unknown, path: string) => LbPolicy;

/** Pre-built pick results for pickers that need no per-call state: picking allocates nothing. */
export function staticPicks(endpoints: readonly MeshEndpoint[]): Pick[] {
  return endpoints.map((endpoint) => Object.freeze({ endpoint, done: undefined }));
}
