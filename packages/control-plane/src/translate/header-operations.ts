// Istio's Headers (HTTPRoute.headers, HTTPRouteDestination.headers) → Envoy's header mutation
// fields, as istiod translates them: `set` is OVERWRITE_IF_EXISTS_OR_ADD, `add` is
// APPEND_IF_EXISTS_OR_ADD, `remove` goes to *_headers_to_remove. Setting the request's `host` or
// `:authority` is a host rewrite (host_rewrite_literal), never a header mutation, which Envoy and
// Shoal's decoder refuse for those names.
// Envoy: config.core.v3.HeaderValueOption; Istio: translateHeadersOperations, authority rewrite.

import { create } from '@bufbuild/protobuf';
import { envoy } from '@shoal/xds';
import type { HeaderOperations, Headers } from '../config/networking-types.js';

/** The mutation fields Route, VirtualHost and WeightedCluster.ClusterWeight share. */
export interface HeaderMutationFields {
  requestHeadersToAdd: envoy.HeaderValueOption[];
  requestHeadersToRemove: string[];
  responseHeadersToAdd: envoy.HeaderValueOption[];
  responseHeadersToRemove: string[];
}

const Action = envoy.HeaderValueOption_HeaderAppendAction;

/** Adds `headers`' operations to `target`; returns the authority a request `set`/`add` of host asks for. */
export function addHeaderOperations(
  target: HeaderMutationFields,
  headers: Headers | undefined,
): string | undefined {
  if (!headers) return undefined;
  const authority = addOps(target.requestHeadersToAdd, target.requestHeadersToRemove, headers.request, true);
  addOps(target.responseHeadersToAdd, target.responseHeadersToRemove, headers.response, false);
  return authority;
}

function addOps(
  add: envoy.HeaderValueOption[],
  remove: string[],
  ops: HeaderOperations | undefined,
  request: boolean,
): string | undefined {
  if (!ops) return undefined;
  let authority: string | undefined;
  const push = (name: string, value: string, action: envoy.HeaderValueOption_HeaderAppendAction) => {
    const lower = name.toLowerCase();
    if (request && (lower === 'host' || lower === ':authority')) {
      authority = value;
      return;
    }
    add.push(create(envoy.HeaderValueOptionSchema, { header: { key: lower, value }, appendAction: action }));
  };
  for (const [name, value] of Object.entries(ops.set ?? {}))
    push(name, value, Action.OVERWRITE_IF_EXISTS_OR_ADD);
  for (const [name, value] of Object.entries(ops.add ?? {}))
    push(name, value, Action.APPEND_IF_EXISTS_OR_ADD);
  remove.push(...(ops.remove ?? []).map((n) => n.toLowerCase()));
  return authority;
}
