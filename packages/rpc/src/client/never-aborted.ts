// The signal of calls made without one. It can never abort, so a call does not listen to it:
// one listener per call on a long-lived signal cost time, and that list, in old space, kept
// finished calls alive through young-generation GCs.

import { setMaxListeners } from 'node:events';

const controller = new AbortController();
setMaxListeners(0, controller.signal); // other transports may still listen (fetch, http.request)

export const neverAborted: AbortSignal = controller.signal;

/** True when listening to `signal` is pointless because it cannot abort. */
export function cannotAbort(signal: AbortSignal): boolean {
  return signal === neverAborted;
}
