// What the ADS sessions tell a metrics recorder (the control plane's istiod-named pilot_* metrics),
// without knowing of one: each response built, each NACK, and how long a client took to get a new
// snapshot's changes.

export interface XdsServerMetrics {
  /** A response of `typeUrl` was built and handed to the stream, taking `seconds`. */
  pushed(typeUrl: string, seconds: number): void;
  /** A client rejected (NACKed) a response of `typeUrl`. */
  rejected(typeUrl: string): void;
  /** Every change of a new snapshot was sent to a client, `seconds` after the snapshot was made. */
  converged(seconds: number): void;
}
