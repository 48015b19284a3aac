// Fault injection (gRFC A33; Envoy: extensions.filters.http.fault.v3.HTTPFault) as a client
// filter plug-in. A per-route override replaces the listener's config (A39). A call whose headers
// match the config's `headers` may be delayed and then aborted before it takes a circuit-breaker
// slot; an abort with status OK ends it at once with no message (A33). Each plug-in instance
// counts its active faults for max_active_faults in one FaultGauge, so every call of the clients
// sharing a registry counts.

import { create } from '@bufbuild/protobuf';
import { type CallRequest, type CallResponse, Metadata } from '@shoal/rpc/client';
import { type FaultFilterConfig, faultFilterType } from '@shoal/xds/plugins';
import { FaultGauge, FaultInjector } from '../resilience/fault-injector.js';
import { compileHeaderMatchers } from '../routing/header-match.js';
import type { HttpFilterPlugin } from './http-filter.js';

/** A fault filter plug-in; `gauge` is shared by every call it faults. */
export function faultFilter(gauge = new FaultGauge()): HttpFilterPlugin {
  return {
    ...faultFilterType,
    buildClientInterceptor(config, override, { name, clock, random, cluster, metrics }) {
      const c = (override ?? config) as FaultFilterConfig;
      const injector = new FaultInjector(c, gauge, random);
      if (!injector.injects) return undefined; // Istio's listeners carry one with neither
      const applies = compileHeaderMatchers(c.headers);
      return (call, next) => {
        const header = call.request.header;
        const decision = applies(header) ? injector.decide(header) : undefined;
        if (decision === undefined) return next();
        if (metrics !== undefined && cluster !== undefined) {
          if (decision.delayMs > 0) metrics.faultInjected(cluster, 'delay');
          if (decision.abort !== undefined) metrics.faultInjected(cluster, 'abort');
        }
        call.note(
          `fault filter ${JSON.stringify(name)}: delay ${decision.delayMs}ms${decision.abort === undefined ? '' : `, abort with code ${decision.abort}`}`,
        );
        return injector
          .apply(decision, { clock, signal: call.request.signal })
          .then((outcome) => (outcome === 'abort-ok' ? emptyResponse(call.request) : next()));
      };
    },
  };
}

/** gRFC A33: an abort with status OK ends the call at once, with no message. */
function emptyResponse(request: CallRequest): CallResponse {
  const header = new Metadata();
  const trailer = new Metadata();
  if (request.method.methodKind === 'unary' || request.method.methodKind === 'client_streaming')
    return { stream: false, header, message: create(request.method.output), trailer };
  return { stream: true, header, message: (async function* () {})(), trailer };
}
