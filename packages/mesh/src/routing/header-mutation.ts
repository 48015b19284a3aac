// Envoy's route-level header mutations (request_headers_to_add/remove, response_headers_to_add/
// remove) applied to a call's gRPC metadata, as Envoy's router applies them: per level, removals
// then additions (HeaderAppendAction), from the most specific level to the least (weighted
// cluster, route, virtual host, route configuration), so a wider level's `set` wins (Envoy's
// default, most_specific_header_mutations_wins: false). Headers a gRPC transport owns
// (content-type, te, user-agent, grpc-timeout, …; Metadata's reserved set) and names metadata
// cannot carry are left alone; `-bin` values are base64, as gRPC carries them. Internal.

import { Metadata, type MetadataValue } from '@shoal/rpc/client';
import { decodeBinaryHeader, isReservedHeader } from '@shoal/rpc/plugins';
import type { XdsHeaderAddition, XdsHeaderMutations, XdsHeaderRules } from '@shoal/xds/plugins';

/** One direction's mutations, in the order they apply; empty for most routes. */
export type HeaderMutationList = readonly XdsHeaderMutations[];

export interface RouteHeaderMutations {
  readonly request: HeaderMutationList;
  readonly response: HeaderMutationList;
}

const NONE: RouteHeaderMutations = { request: [], response: [] };

/** The mutations of a call's levels, given most specific first. */
export function routeHeaderMutations(levels: readonly XdsHeaderRules[]): RouteHeaderMutations {
  const request = levels.flatMap((l) => (l.request ? [l.request] : []));
  const response = levels.flatMap((l) => (l.response ? [l.response] : []));
  return request.length === 0 && response.length === 0 ? NONE : { request, response };
}

/** `md` with the mutations applied: a copy, or `md` itself when there are none. */
export function mutatedCopy(md: Metadata, list: HeaderMutationList): Metadata {
  if (list.length === 0) return md;
  const copy = new Metadata(md);
  applyHeaderMutations(copy, list);
  return copy;
}

/** Applies the mutations to `md` in place. */
export function applyHeaderMutations(md: Metadata, list: HeaderMutationList): void {
  for (const level of list) {
    for (const name of level.remove) if (applicable(name)) md.delete(name);
    for (const a of level.add) add(md, a);
  }
}

function add(md: Metadata, a: XdsHeaderAddition): void {
  if (!applicable(a.name) || (a.value === '' && !a.keepEmptyValue)) return;
  const value: MetadataValue = a.name.endsWith('-bin') ? decodeBinaryHeader(a.value) : a.value;
  const present = md.has(a.name);
  switch (a.append) {
    case 'append':
      md.append(a.name, value);
      return;
    case 'add_if_absent':
      if (!present) md.set(a.name, value);
      return;
    case 'overwrite':
      md.set(a.name, value);
      return;
    case 'overwrite_if_exists':
      if (present) md.set(a.name, value);
      return;
  }
}

const METADATA_KEY = /^[0-9a-z_.-]+$/;

function applicable(name: string): boolean {
  return METADATA_KEY.test(name) && !isReservedHeader(name);
}
