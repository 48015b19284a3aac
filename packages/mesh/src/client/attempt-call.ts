// Step 4 of a call, once per attempt: an endpoint picked by the cluster's LB policy (with the
// request hash, gRFC A42; localities, priorities and outlier ejections, A27/A50), the attempt's
// request (retries say so, the time left is recomputed), then the call on that endpoint's
// transport (mutual TLS for a cluster with an UpstreamTlsContext). Its outcome goes back to the balancer: least_request's count, outlier detection. A
// streamed response commits the call (no retry after it) and reports when it ends. Telemetry's
// attempt (gRFC A66) starts before the pick, so an attempt that finds no endpoint counts; a
// reporting cluster counts the call per endpoint (load reports, gRFC A27). Internal.

import { type CallOptions, type CallResponse, Code, RpcError } from '@shoal/rpc/client';
import { trackStream } from '@shoal/rpc/plugins';
import { startCall } from '../load-report/cluster-load-hook.js';
import type { AttemptContext } from '../resilience/retry-policy.js';
import { tracedAttempt } from './attempt-telemetry.js';
import type { CallEnv } from './call-env.js';
import type { RoutedCall } from './routed-call.js';

export function attemptCall(
  call: RoutedCall,
  options: CallOptions,
  n: number,
  ctx: AttemptContext | undefined,
  env: CallEnv,
): Promise<CallResponse> {
  const { runtime, hasher, weighted } = call.plan;
  const attempt = call.request.tracer?.startAttempt();
  const hash = hasher?.hash(call.request.header, env.channelId);
  const pick = runtime.balancer.pick(hash === undefined ? undefined : { requestHash: hash });
  if (pick === undefined) {
    const ejected = runtime.balancer.ejected.size;
    const message = `no usable endpoint in cluster ${JSON.stringify(weighted.name)} (${runtime.endpoints.length} endpoints, ${ejected} ejected)`;
    env.decisions.fail(call, n, message);
    attempt?.onEnd(Code.UNAVAILABLE);
    return Promise.reject(env.decisions.unavailable(message));
  }
  const ep = pick.endpoint;
  env.decisions.attempt(call, ep, runtime.policyName, n);
  const loadEnd = startCall(runtime.load, ep);
  const plain = call.attemptRequest(n, env.clock.now());
  const request = attempt === undefined ? plain : tracedAttempt(plain, attempt, call, ep);
  // The endpoint's transport reports only its address; the caller learns the route and cluster too.
  const report = options.onDestination;
  const endpointOptions: CallOptions = report
    ? {
        ...options,
        onDestination: () =>
          report({
            endpoint: ep.key,
            cluster: weighted.name,
            route: call.plan.entry.name,
            reason: call.steps().join('; '),
          }),
      }
    : options;
  return env.endpoints
    .get(ep, weighted.name, call.plan.tls)
    .call(request, endpointOptions)
    .then(
      (response) => {
        if (!response.stream) {
          pick.done?.();
          loadEnd?.(true);
          runtime.balancer.recordResult(ep, Code.OK);
          return response;
        }
        ctx?.commit();
        return trackStream(response, (code) => {
          pick.done?.();
          loadEnd?.(code === Code.OK);
          runtime.balancer.recordResult(ep, code);
          call.release?.();
        });
      },
      (err: unknown) => {
        const e = RpcError.from(err, Code.UNAVAILABLE);
        pick.done?.();
        loadEnd?.(false);
        runtime.balancer.recordResult(ep, e.code);
        throw e;
      },
    );
}
