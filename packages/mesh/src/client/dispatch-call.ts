// Step 3 of a call, the router's work: a circuit-breaker slot of the cluster (gRFC A32, failing
// fast at max_requests), then the attempts, with retries (A44) for calls with one request message.
// The slot is held until the call ends; a streamed response holds it until the stream ends
// (attempt-call.ts releases it then). Before the attempts, the router's route-level work (Envoy):
// the upstream request with its header mutations and rewrites (router-request.ts), the shadow
// calls of mirror policies (mirror-call.ts); the response headers get their mutations. Internal.

import { type CallOptions, type CallResponse, Code } from '@shoal/rpc/client';
import type { Release } from '../resilience/circuit-breaker.js';
import { runWithRetries } from '../resilience/retry-policy.js';
import { attemptCall } from './attempt-call.js';
import type { CallEnv } from './call-env.js';
import { mirrorCall } from './mirror-call.js';
import type { RoutedCall } from './routed-call.js';
import { prepareUpstream, responseHeaderRules } from './router-request.js';

export function dispatchCall(
  call: RoutedCall,
  callOptions: CallOptions,
  env: CallEnv,
): Promise<CallResponse> {
  const { runtime } = call.plan;
  let release: Release;
  try {
    release = runtime.breaker.acquire();
  } catch (err) {
    env.metrics?.circuitBreakerRejected(call.plan.weighted.name);
    return Promise.reject(err);
  }
  call.release = release;
  prepareUpstream(call);
  mirrorCall(call, env);
  const responseRules = responseHeaderRules(call, callOptions);
  const options = responseRules?.options ?? callOptions;
  const retry = call.request.stream ? undefined : call.plan.retry;
  const result =
    retry === undefined
      ? attemptCall(call, options, 1, undefined, env)
      : runWithRetries(retry, (ctx) => attemptCall(call, options, ctx.attempt, ctx, env), {
          signal: call.request.signal,
          deadline: call.deadline,
          clock: env.clock,
          random: env.random,
          retryGate: runtime.breaker,
          onRetry: (info) => {
            env.metrics?.retried(call.plan.weighted.name, info.error.code);
            call.note(
              `attempt ${info.attempt} failed with ${Code[info.error.code]}; retrying in ${Math.round(info.delayMs)}ms`,
            );
          },
        });
  return result.then(
    (response) => {
      if (!response.stream) release();
      return responseRules ? responseRules.response(response) : response;
    },
    (err: unknown) => {
      release();
      throw err;
    },
  );
}
