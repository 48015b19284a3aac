// The router's route-level changes to a call (Envoy's router, not an HTTP filter): the request it
// forwards carries the header mutations of the weighted cluster, route, virtual host and route
// configuration, the rewritten `:path` (prefix_rewrite, regex_rewrite) and `:authority`
// (host_rewrite_literal); the response headers the caller sees get the response mutations, also
// through onHeader. Made once per call, before retries, so every attempt sends the same. Internal.

import type { CallOptions, CallResponse, Metadata } from '@shoal/rpc/client';
import { withRequest } from '@shoal/rpc/plugins';
import { applyHeaderMutations, mutatedCopy } from '../routing/header-mutation.js';
import type { RoutedCall } from './routed-call.js';

/** Sets `call.upstream` to the request as the router forwards it. */
export function prepareUpstream(call: RoutedCall): void {
  const { headers, rewritePath, authority } = call.plan;
  if (headers.request.length === 0 && rewritePath === undefined && authority === undefined) return;
  const request = call.request;
  const header = mutatedCopy(request.header, headers.request);
  const path = rewritePath?.(call.path);
  if (path !== undefined && path !== call.path) call.note(`path rewritten to ${path}`);
  if (authority !== undefined) call.note(`authority rewritten to ${authority}`);
  call.upstream = withRequest(request, { header, path, authority });
}

/**
 * The options and response filter that apply the response header mutations once per header set,
 * whether the caller reads them through onHeader, the response, or both.
 */
export function responseHeaderRules(
  call: RoutedCall,
  options: CallOptions,
): { options: CallOptions; response: (r: CallResponse) => CallResponse } | undefined {
  const list = call.plan.headers.response;
  if (list.length === 0) return undefined;
  const done = new WeakSet<Metadata>();
  const mutate = (h: Metadata) => {
    if (done.has(h)) return;
    done.add(h);
    applyHeaderMutations(h, list);
  };
  const onHeader = options.onHeader;
  return {
    options: {
      ...options,
      onHeader: (h) => {
        mutate(h);
        onHeader?.(h);
      },
    },
    response: (r) => {
      mutate(r.header);
      return r;
    },
  };
}
