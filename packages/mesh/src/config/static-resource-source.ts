// An in-process xDS resource source: resources given as Envoy messages (packed in Any) are decoded
// and validated by @shoal/xds's decoders, exactly as an ADS response's would be, and handed to
// watchers. A resource that fails validation is NACKed: watchers get onError and keep the last
// good value (gRFC A46). Removing a resource tells watchers it does not exist. Useful without a
// control plane (static config, tests) and as the reference behaviour of a ResourceWatcherSource.

import type { Any } from '@bufbuild/protobuf/wkt';
import { Code, RpcError } from '@shoal/rpc/client';
import {
  CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
  CLUSTER_TYPE_URL,
  LISTENER_TYPE_URL,
  ROUTE_CONFIGURATION_TYPE_URL,
} from '@shoal/xds/client';
import {
  type DecodeResult,
  decodeCluster,
  decodeClusterLoadAssignment,
  decodeListener,
  decodeRouteConfiguration,
  type HttpDecodeOptions,
} from '@shoal/xds/plugins';
import type { ResourceWatcher, ResourceWatcherSource } from './watch-source.js';

type Decoders = Readonly<Record<string, (any: Any) => DecodeResult<unknown>>>;

function decodersWith(options: HttpDecodeOptions): Decoders {
  return {
    [LISTENER_TYPE_URL]: (a) => decodeListener(a, options),
    [ROUTE_CONFIGURATION_TYPE_URL]: (a) => decodeRouteConfiguration(a, options),
    [CLUSTER_TYPE_URL]: (a) => decodeCluster(a),
    [CLUSTER_LOAD_ASSIGNMENT_TYPE_URL]: (a) => decodeClusterLoadAssignment(a),
  };
}

const key = (typeUrl: string, name: string) => `${typeUrl} ${name}`;

/**
 * Resources held in memory as a watch source: config assembly without an xDS server (tools, benchmarks,
 * tests).
 */
export class StaticResourceSource implements ResourceWatcherSource {
  private readonly decoders: Decoders;
  private readonly values = new Map<string, unknown>();
  private readonly removed = new Set<string>();
  private readonly watchers = new Map<string, Set<ResourceWatcher<unknown>>>();

  /** `httpFilters`: the filter types Listeners and routes are decoded with (an XdsClient's option too). */
  constructor(options: HttpDecodeOptions = {}) {
    this.decoders = decodersWith(options);
  }

  watch<T>(typeUrl: string, name: string, watcher: ResourceWatcher<T>): () => void {
    const k = key(typeUrl, name);
    let set = this.watchers.get(k);
    if (set === undefined) this.watchers.set(k, (set = new Set()));
    const w = watcher as ResourceWatcher<unknown>;
    set.add(w);
    if (this.values.has(k)) w.onUpdate(this.values.get(k));
    else if (this.removed.has(k)) w.onDoesNotExist();
    return () => {
      set.delete(w);
      if (set.size === 0) this.watchers.delete(k);
    };
  }

  /** Names currently watched for a type, sorted (to check that watches follow the config). */
  watched(typeUrl: string): string[] {
    const prefix = `${typeUrl} `;
    return [...this.watchers.keys()]
      .filter((k) => k.startsWith(prefix))
      .map((k) => k.slice(prefix.length))
      .sort();
  }

  /**
   * Decodes and publishes resources, like one ADS response. Returns the NACK message, or
   * undefined when every resource was accepted. Valid ones are applied even when others fail.
   */
  set(...resources: Any[]): string | undefined {
    const nacks: string[] = [];
    for (const any of resources) {
      const decode = this.decoders[any.typeUrl];
      if (decode === undefined) {
        nacks.push(`unknown resource type ${any.typeUrl}`);
        continue;
      }
      const r = decode(any);
      if (!r.ok) {
        const message = `${r.name ?? '(unnamed)'}: ${r.errors.join('; ')}`;
        nacks.push(message);
        if (r.name !== undefined)
          this.notify(key(any.typeUrl, r.name), (w) =>
            w.onError(new RpcError(Code.INVALID_ARGUMENT, message)),
          );
        continue;
      }
      const k = key(any.typeUrl, r.name);
      this.values.set(k, r.value);
      this.removed.delete(k);
      this.notify(k, (w) => w.onUpdate(r.value));
    }
    return nacks.length === 0 ? undefined : nacks.join('\n');
  }

  /** Deletes a resource: its watchers are told it does not exist. */
  remove(typeUrl: string, name: string): void {
    const k = key(typeUrl, name);
    this.values.delete(k);
    this.removed.add(k);
    this.notify(k, (w) => w.onDoesNotExist());
  }

  private notify(k: string, fn: (w: ResourceWatcher<unknown>) => void): void {
    const set = this.watchers.get(k);
    if (set) for (const w of [...set]) fn(w);
  }
}
