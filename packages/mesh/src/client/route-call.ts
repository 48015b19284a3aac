// Step 1 of a call: on the current snapshot, the route (gRFC A28: virtual host, then the first
// matching route), the cluster drawn by weight, that cluster's plan, the drop_overloads draw, and
// the time budget (A31). A call that cannot be routed is refused with UNAVAILABLE and its decision
// says why; a route with a direct_response answers it here (routing/direct-response.ts). Internal.

import { type CallRequest, methodPath } from '@shoal/rpc/client';
import type { MeshConfig } from '../config/mesh-config.js';
import { directResponseError } from '../routing/direct-response.js';
import { withDubboArguments } from '../routing/dubbo-arguments.js';
import type { CallEnv } from './call-env.js';
import type { CallPlans } from './call-plan.js';
import { effectiveTimeoutMs } from './call-timeout.js';
import { RoutedCall } from './routed-call.js';

/** Routes `request` on `config`; throws the UNAVAILABLE RpcError of a refusal. */
export function routeCall(
  config: MeshConfig,
  plans: CallPlans,
  request: CallRequest,
  env: CallEnv,
): RoutedCall {
  const { decisions, random } = env;
  const path = methodPath(request.method);
  const table = config.routeTable;
  const vh = config.virtualHost;
  if (table === undefined || vh === undefined)
    throw decisions.refuse(
      config,
      path,
      `no virtual host in route configuration ${JSON.stringify(config.routeConfig.name)} matches ${JSON.stringify(config.authority)}`,
    );
  // Dubbo's arguments[N] conditions read the message of a unary call (routing/dubbo-arguments.ts).
  const headers =
    table.readsArguments && !request.stream
      ? withDubboArguments(request.header, request.method.input, request.message)
      : request.header;
  const entry = table.match(path, headers, random);
  if (entry === undefined)
    throw decisions.refuse(
      config,
      path,
      `no route in virtual host ${JSON.stringify(vh.name)} matches ${path}`,
    );
  const action = entry.route.action;
  if (action.kind === 'direct_response') {
    const error = directResponseError(action.status, action.body, entry.name);
    decisions.refuse(config, path, `direct response ${action.status}: ${error.message}`, entry);
    throw error;
  }
  if (action.kind !== 'route') {
    const what = action.kind === 'non_forwarding' ? 'non_forwarding' : action.action;
    throw decisions.refuse(
      config,
      path,
      `route ${JSON.stringify(entry.name)} has a ${what} action, which a client cannot follow`,
      entry,
    );
  }
  const weighted = entry.pickCluster(random)!;
  const plan = plans.get(entry, weighted);
  if (typeof plan === 'string') throw decisions.refuse(config, path, plan, entry, weighted);
  for (const drop of plan.drops) {
    if (Math.floor(random() * 1_000_000) < drop.perMillion) {
      plan.runtime.load?.dropped(drop.category);
      throw decisions.refuse(
        config,
        path,
        `dropped by the cluster's drop_overloads (category ${JSON.stringify(drop.category)})`,
        entry,
        weighted,
      );
    }
  }
  const timeoutMs = effectiveTimeoutMs(request.timeoutMs, action, config.maxStreamDurationMs);
  const deadline = timeoutMs === undefined ? undefined : env.clock.now() + timeoutMs;
  return new RoutedCall(config, request, path, plan, timeoutMs, deadline);
}
