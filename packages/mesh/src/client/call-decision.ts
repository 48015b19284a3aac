// The per-call routing decision, for debugging (`shoal call --count` tallies these): which route
// matched, which cluster and endpoint were chosen, and why, or why the call was refused.

export interface CallDecision {
  readonly target: string;
  /** The snapshot the decision was made on (MeshConfig.version); 0 when there was none. */
  readonly configVersion: number;
  /** `/package.Service/Method`. */
  readonly path: string;
  readonly virtualHost: string | undefined;
  readonly route: { readonly name: string; readonly index: number } | undefined;
  readonly cluster: string | undefined;
  /** `address:port` of the endpoint picked, when one was. */
  readonly endpoint: string | undefined;
  readonly endpointLabels: Readonly<Record<string, string>> | undefined;
  /** `region/zone/subzone` of the endpoint, and its priority. */
  readonly locality: string | undefined;
  readonly priority: number | undefined;
  /** 1 for the first attempt; retries make more decisions for the same call. */
  readonly attempt: number;
  /** The time budget the call was given (A31: its own deadline capped by the route's). */
  readonly timeoutMs: number | undefined;
  /** Steps that led here, in order, e.g. `route "canary" matched header x-user=beta`. */
  readonly why: readonly string[];
  /** Set when the call was refused before reaching an endpoint. */
  readonly error: string | undefined;
}
