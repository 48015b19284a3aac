// Applies one state-of-the-world DiscoveryResponse to the cache (Envoy xDS protocol; gRFC A46:
// the valid resources of a partly invalid response are applied and the rest NACKed, the last good
// value is kept; gRFC A53: ignore_resource_deletion; gRFC A57: timers). Returns the NACK errors.
import { fromBinary } from '@bufbuild/protobuf';
import type { Any } from '@bufbuild/protobuf/wkt';
import { Code, RpcError } from '@shoal/rpc/client';
import { type DiscoveryResponse, ResourceSchema } from '../gen/envoy/service/discovery/v3/discovery_pb.js';
import type { XdsLogger } from './log.js';
import type { XdsStream } from './reconnecting-stream.js';
import type { CacheEntry, ResourceCache } from './resource-cache.js';
import type { XdsDecodeResult, XdsResourceType } from './resource-type.js';

const RESOURCE_WRAPPER_TYPE_URL = 'type.googleapis.com/envoy.service.discovery.v3.Resource';

/** How the cache tells watchers; each call queues callbacks on the client's serial queue. */
export interface WatcherNotifier {
  update(entry: CacheEntry): void;
  error(entry: CacheEntry, error: RpcError): void;
  doesNotExist(entry: CacheEntry): void;
}

export interface ApplyContext {
  readonly stream: XdsStream;
  readonly type: XdsResourceType;
  readonly cache: ResourceCache;
  readonly notify: WatcherNotifier;
  readonly log: XdsLogger;
  readonly now: Date;
  /** Resources of the response that decoded and validated, and that did not (gRFC A78). */
  readonly counts?: { valid: number; invalid: number };
}

/** A resource that failed validation: its errors (already labelled) and the bytes received. */
export interface Failed {
  readonly errors: string[];
  readonly raw: Any;
}

export function applyResponse(ctx: ApplyContext, response: DiscoveryResponse): string[] {
  const { type, stream } = ctx;
  const errors: string[] = [];
  const valid = new Map<string, { value: unknown; raw: Any }>();
  const failed = new Map<string, Failed>();
  const seen = new Set<string>();
  response.resources.forEach((any, i) => {
    const unwrapped = unwrap(any);
    if ('error' in unwrapped) {
      errors.push(`resources[${i}]: ${unwrapped.error}`);
      if (ctx.counts) ctx.counts.invalid++;
      return;
    }
    const raw = unwrapped.resource;
    if (raw.typeUrl !== response.typeUrl) {
      errors.push(
        `resources[${i}]: a ${raw.typeUrl || 'resource without type_url'} in the ${type.shortName} response`,
      );
      if (ctx.counts) ctx.counts.invalid++;
      return;
    }
    const result = decodeSafely(type, raw);
    if (ctx.counts) ctx.counts[result.ok ? 'valid' : 'invalid']++;
    const name = result.name || unwrapped.name;
    const label = name ? `${type.resourceLabel}[${name}]` : `resources[${i}]`;
    if (name && seen.has(name)) {
      errors.push(`${label}: appears more than once in the response`);
      return;
    }
    if (name) seen.add(name);
    if (result.ok) {
      valid.set(name, { value: result.value, raw });
      return;
    }
    const own = result.errors.map((e) => `${label}: ${e}`);
    errors.push(...own);
    if (name) failed.set(name, { errors: own, raw });
  });

  for (const [name, { value, raw }] of valid) {
    const entry = subscribed(ctx, name);
    if (entry) accept(ctx, entry, value, raw, response.versionInfo);
  }
  for (const [name, failure] of failed) {
    const entry = subscribed(ctx, name);
    if (entry) reject(ctx, entry, failure, response.versionInfo);
  }
  if (type.allResourcesRequired) {
    for (const name of stream.names(type.typeUrl)) {
      const entry = subscribed(ctx, name);
      if (entry && !seen.has(name)) absent(ctx, entry);
    }
  }
  return errors;
}

/** Runs a plug-in decoder; one that throws is reported like one that returns errors. */
export function decodeSafely(type: XdsResourceType, raw: Any): XdsDecodeResult<unknown> {
  try {
    return type.decode(raw);
  } catch (e) {
    return { ok: false, errors: [`cannot decode: ${(e as Error)?.message ?? e}`] };
  }
}

/** Resources may come wrapped in envoy.service.discovery.v3.Resource (client feature xds.config.resource-in-sotw). */
export function unwrap(any: Any): { resource: Any; name: string } | { error: string } {
  if (any.typeUrl !== RESOURCE_WRAPPER_TYPE_URL) return { resource: any, name: '' };
  try {
    const wrapper = fromBinary(ResourceSchema, any.value);
    if (!wrapper.resource) return { error: 'envoy.service.discovery.v3.Resource without a resource' };
    return { resource: wrapper.resource, name: wrapper.name };
  } catch (e) {
    return { error: `cannot parse envoy.service.discovery.v3.Resource: ${(e as Error).message}` };
  }
}

/** The entry for `name` when this stream subscribed to it; other names are ignored, as gRPC does. */
export function subscribed(ctx: ApplyContext, name: string): CacheEntry | undefined {
  const entry = ctx.cache.get(ctx.type.typeUrl, name);
  return entry?.stream === ctx.stream ? entry : undefined;
}

export function accept(
  ctx: ApplyContext,
  entry: CacheEntry,
  value: unknown,
  raw: Any,
  version: string,
): void {
  clearTimeout(entry.timer);
  entry.timer = undefined;
  const unchanged = entry.hasValue && same(ctx.type, entry, value, raw);
  entry.status = 'acked';
  entry.failure = undefined;
  entry.version = version;
  entry.raw = raw;
  if (unchanged) return;
  entry.hasValue = true;
  entry.value = value;
  entry.lastUpdated = ctx.now;
  ctx.notify.update(entry);
}

function same(type: XdsResourceType, entry: CacheEntry, value: unknown, raw: Any): boolean {
  if (type.equal) return type.equal(entry.value, value);
  const before = entry.raw?.value;
  return !!before && before.length === raw.value.length && before.every((b, i) => b === raw.value[i]);
}

export function reject(ctx: ApplyContext, entry: CacheEntry, failure: Failed, version: string): void {
  // The server has the resource, so it exists: no does-not-exist timer (gRFC A57).
  clearTimeout(entry.timer);
  entry.timer = undefined;
  const details = failure.errors.join('; ');
  entry.status = 'nacked';
  entry.failure = { details, version, at: ctx.now, raw: failure.raw };
  const message = `${ctx.stream.label}: NACK ${ctx.type.shortName} version ${version}: ${details}`;
  ctx.notify.error(entry, new RpcError(Code.UNAVAILABLE, message));
}

function absent(ctx: ApplyContext, entry: CacheEntry): void {
  // Only a resource this client has seen can be deleted. One never received may simply be newer
  // than the request this response answers: its does-not-exist timer decides (as grpc-go does).
  if (entry.hasValue) remove(ctx, entry);
}

/** The server says the resource is gone (SotW absence, delta removed_resources). */
export function remove(ctx: ApplyContext, entry: CacheEntry): void {
  clearTimeout(entry.timer);
  entry.timer = undefined;
  if (!entry.hasValue) {
    if (entry.status === 'does-not-exist') return;
    entry.status = 'does-not-exist';
    entry.failure = undefined;
    ctx.notify.doesNotExist(entry);
    return;
  }
  const what = `${ctx.type.resourceLabel}[${entry.name}]`;
  if (ctx.stream.server.ignoreResourceDeletion) {
    ctx.log('warn', `${ctx.stream.label}: ignoring the deletion of ${what} (ignore_resource_deletion)`);
    return;
  }
  ctx.log('info', `${ctx.stream.label}: ${what} deleted`);
  entry.status = 'does-not-exist';
  entry.hasValue = false;
  entry.value = undefined;
  entry.raw = undefined;
  entry.failure = undefined;
  entry.lastUpdated = ctx.now;
  ctx.notify.doesNotExist(entry);
}
