// Applies one incremental (delta) DiscoveryResponse to the cache (Envoy xDS protocol: "Incremental
// xDS": each resource carries its own name and version, removed_resources names what is gone or
// never existed; gRFC A46: valid resources applied, the rest NACKed, last good values kept).
import type { DeltaDiscoveryResponse } from '../gen/envoy/service/discovery/v3/discovery_pb.js';
import {
  type ApplyContext,
  accept,
  decodeSafely,
  type Failed,
  reject,
  remove,
  subscribed,
} from './apply-response.js';

export function applyDeltaResponse(ctx: ApplyContext, response: DeltaDiscoveryResponse): string[] {
  const { type } = ctx;
  const errors: string[] = [];
  const seen = new Set<string>();
  const failed = new Map<string, { failure: Failed; version: string }>();
  response.resources.forEach((resource, i) => {
    const raw = resource.resource;
    const label = resource.name ? `${type.resourceLabel}[${resource.name}]` : `resources[${i}]`;
    if (!raw) {
      errors.push(`${label}: no resource (TTL heartbeats are not supported)`);
      if (ctx.counts) ctx.counts.invalid++;
      return;
    }
    if (raw.typeUrl !== response.typeUrl) {
      errors.push(
        `${label}: a ${raw.typeUrl || 'resource without type_url'} in the ${type.shortName} response`,
      );
      if (ctx.counts) ctx.counts.invalid++;
      return;
    }
    const result = decodeSafely(ctx.type, raw);
    if (ctx.counts) ctx.counts[result.ok ? 'valid' : 'invalid']++;
    const name = result.name || resource.name;
    const own = result.name ? `${type.resourceLabel}[${name}]` : label;
    if (resource.name && result.name && resource.name !== result.name) {
      errors.push(`${label}: the resource is named ${JSON.stringify(result.name)}`);
      return;
    }
    if (name && seen.has(name)) {
      errors.push(`${own}: appears more than once in the response`);
      return;
    }
    if (name) seen.add(name);
    if (result.ok) {
      const entry = subscribed(ctx, name);
      if (entry) accept(ctx, entry, result.value, raw, resource.version);
      return;
    }
    const labelled = result.errors.map((e) => `${own}: ${e}`);
    errors.push(...labelled);
    if (name) failed.set(name, { failure: { errors: labelled, raw }, version: resource.version });
  });
  for (const [name, { failure, version }] of failed) {
    const entry = subscribed(ctx, name);
    if (entry) reject(ctx, entry, failure, version);
  }
  for (const name of response.removedResources) {
    const entry = subscribed(ctx, name);
    if (entry) remove(ctx, entry);
  }
  return errors;
}
