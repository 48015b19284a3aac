// Step 2 of a call: the route's HTTP filters (gRFC A39), ending in the router, which dispatches
// the call to its cluster. A filter that ends the call before that (a fault abort, a cancelled
// fault delay) makes the call's decision. Routes without filters skip this step. Internal.

import type { CallResponse } from '@shoal/rpc/client';
import { runFilters } from '../filters/filter-chain.js';
import type { DecisionLog } from './call-decision.js';
import type { RoutedCall } from './routed-call.js';

export function filterCall(
  call: RoutedCall,
  dispatch: () => Promise<CallResponse>,
  decisions: DecisionLog,
): Promise<CallResponse> {
  let dispatched = false;
  return runFilters(call.plan.filters, call, () => {
    dispatched = true;
    return dispatch();
  }).catch((err: unknown) => {
    if (!dispatched) decisions.fail(call, 1, (err as Error).message);
    throw err;
  });
}
