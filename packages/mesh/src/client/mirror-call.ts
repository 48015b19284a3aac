// Request mirroring (Envoy: RouteAction.request_mirror_policies; Istio: HTTPRoute.mirror,
// mirrors, mirrorPercentage). For each mirror policy, that share of the route's calls is also
// sent, fire and forget, to one endpoint of the mirror cluster: the request as the router forwards
// it (header mutations, rewrites), with `-shadow` appended to the authority's host as Envoy does.
// Its outcome never reaches the caller: a failure is dropped, a streamed response is read and
// discarded. It takes a slot of the mirror cluster's circuit breaker (none free: no shadow) and is
// not retried, traced or recorded as the call's decision, and has the call's time budget, or
// Envoy's default route timeout (15 s) when the call has none, so a stuck mirror cannot hold its
// slots. A call whose requests are streamed is not mirrored: its messages are read once. Internal.

import type { CallRequest } from '@shoal/rpc/client';
import { attemptCall } from './attempt-call.js';
import { DecisionLog } from './call-decision.js';
import type { CallEnv } from './call-env.js';
import { RoutedCall } from './routed-call.js';

/** Envoy's default route timeout, for shadows of calls without a deadline. */
const SHADOW_TIMEOUT_MS = 15_000;

/** Starts the shadow calls of `call` (after its upstream request is prepared). */
export function mirrorCall(call: RoutedCall, env: CallEnv): void {
  const mirrors = call.plan.mirrors;
  if (mirrors.length === 0 || call.request.stream) return;
  for (const m of mirrors) {
    if (m.perMillion < 1_000_000 && Math.floor(env.random() * 1_000_000) >= m.perMillion) continue;
    const plan = m.plan();
    if (typeof plan === 'string') continue; // the mirror cluster cannot take calls now
    const release = plan.runtime.breaker.tryAcquire();
    if (release === undefined) continue;
    call.note(`mirrored to cluster ${JSON.stringify(m.cluster)}`);
    const up = call.upstream;
    const request = {
      ...up,
      authority: shadowAuthority(up.authority ?? call.config.authority),
      signal: new AbortController().signal,
      tracer: undefined,
      attempt: undefined,
    } as CallRequest;
    const timeoutMs = call.timeoutMs ?? SHADOW_TIMEOUT_MS;
    const deadline = call.deadline ?? env.clock.now() + SHADOW_TIMEOUT_MS;
    const shadow = new RoutedCall(call.config, request, call.path, plan, timeoutMs, deadline);
    shadow.release = release;
    const quiet: CallEnv = { ...env, decisions: new DecisionLog('mirror', undefined) };
    attemptCall(shadow, {}, 1, undefined, quiet).then(
      async (response) => {
        if (!response.stream) {
          release();
          return;
        }
        try {
          for await (const _ of response.message) {
            // read and dropped; attempt-call releases the slot when the stream ends
          }
        } catch {
          // the shadow's own failure is nobody's business
        }
      },
      () => release(),
    );
  }
}

/** Envoy: `host-shadow`, keeping the port (`host-shadow:port`). */
export function shadowAuthority(authority: string): string {
  const m = /^(\[[^\]]*\]|[^:]*)(:\d+)?$/.exec(authority);
  return m ? `${m[1]}-shadow${m[2] ?? ''}` : `${authority}-shadow`;
}
