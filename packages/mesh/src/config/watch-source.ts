// Where the dependency manager gets xDS resources from: anything that can watch one resource by
// type URL and name, as @shoal/xds's XdsClient does (gRFC A27's watcher API). Values arrive
// decoded and validated (the xds decoders' models); a NACK or a lost stream is an error that
// keeps the last good value; does-not-exist means the control plane has no such resource.

/** One watcher of one resource; callbacks run one at a time, in order. */
export interface ResourceWatcher<T> {
  onUpdate(value: T): void;
  onError(error: Error): void;
  onDoesNotExist(): void;
}

/** Watches resources; the returned function cancels the watch. */
export interface ResourceWatcherSource {
  watch<T>(typeUrl: string, name: string, watcher: ResourceWatcher<T>): () => void;
}
