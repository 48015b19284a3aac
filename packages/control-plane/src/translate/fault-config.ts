// Istio HTTPFaultInjection → the fault filter's per-route config (delay and abort, each with its
// percentage; 100% when none is given).
// Envoy: extensions.filters.http.fault.v3.HTTPFault; Istio: translateFault.

import { create } from '@bufbuild/protobuf';
import { envoy } from '@shoal/xds';
import type { HTTPFaultInjection } from '../config/networking-types.js';
import { durationOf, fractionalPercentOf } from './proto-values.js';

export const FAULT_FILTER_NAME = 'envoy.filters.http.fault';

const GRPC_CODES: Record<string, number> = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
};

export function buildFault(fault: HTTPFaultInjection): envoy.HTTPFault | undefined {
  const out = create(envoy.HTTPFaultSchema, {});
  let any = false;
  const delay = fault.delay;
  if (delay?.fixedDelay) {
    const percent = delay.percentage?.value ?? delay.percent ?? 100;
    out.delay = create(envoy.FaultDelaySchema, {
      faultDelaySecifier: { case: 'fixedDelay', value: durationOf(delay.fixedDelay) },
      percentage: fractionalPercentOf(percent),
    });
    any = true;
  }
  const abort = fault.abort;
  if (abort && (abort.httpStatus !== undefined || abort.grpcStatus !== undefined)) {
    const grpc = abort.grpcStatus !== undefined ? grpcCode(abort.grpcStatus) : undefined;
    out.abort = create(envoy.FaultAbortSchema, {
      errorType:
        grpc !== undefined
          ? { case: 'grpcStatus', value: grpc }
          : { case: 'httpStatus', value: abort.httpStatus ?? 500 },
      percentage: fractionalPercentOf(abort.percentage?.value ?? 100),
    });
    any = true;
  }
  return any ? out : undefined;
}

/** A gRPC status given by name (`UNAVAILABLE`) or number (`14`). */
function grpcCode(status: string): number | undefined {
  if (/^\d+$/.test(status)) return Number(status);
  return GRPC_CODES[status.toUpperCase()];
}
