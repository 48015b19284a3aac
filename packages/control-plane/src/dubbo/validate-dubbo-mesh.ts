// Semantic checks of Dubbo's mesh VirtualService (service.dubbo.apache.org/v1alpha1): hosts,
// routes, destinations and weights, argument matches; what xDS cannot carry is reported.
// Dubbo: VirtualServiceRule, DubboRoute, DubboRouteDetail, DubboMatchRequest, DubboMethodMatch.

import type { IssueCollector } from '../config/issues.js';
import { joinPath } from '../config/issues.js';
import { checkFQDN } from '../config/rules-common.js';
import type { DubboMatchRequest, DubboRouteDestination, DubboVirtualServiceSpec } from './rule-types.js';
import { checkStringMatch } from './validate-dubbo-rules.js';

export function validateDubboVirtualService(c: IssueCollector, spec: DubboVirtualServiceSpec): void {
  if (spec.hosts.length === 0) c.required('spec.hosts', 'the provider application(s) this rule routes');
  spec.hosts.forEach((h, i) => {
    const problem = checkFQDN(h);
    if (problem) c.invalid(joinPath('spec.hosts', i), h, problem);
  });
  spec.dubbo.forEach((route, i) => {
    const path = joinPath('spec.dubbo', i);
    route.services?.forEach((s, j) => {
      checkStringMatch(c, joinPath(joinPath(path, 'services'), j), s);
    });
    route.routedetail.forEach((detail, j) => {
      const p = joinPath(joinPath(path, 'routedetail'), j);
      detail.match?.forEach((m, k) => {
        checkMatch(c, joinPath(joinPath(p, 'match'), k), m);
      });
      if (detail.route.length === 0) c.required(joinPath(p, 'route'), 'at least one destination');
      detail.route.forEach((d, k) => {
        checkDestination(c, joinPath(joinPath(p, 'route'), k), d);
      });
      if (detail.route.length > 1 && detail.route.every((d) => !d.weight))
        c.invalid(
          joinPath(p, 'route'),
          detail.route.length,
          'several destinations need weights (Dubbo weighs each at its weight)',
        );
    });
  });
}

function checkMatch(c: IssueCollector, path: string, m: DubboMatchRequest): void {
  const method = m.method;
  if (method?.name_match)
    checkStringMatch(c, joinPath(joinPath(path, 'method'), 'name_match'), method.name_match);
  if (method?.argc !== undefined)
    c.warn(
      joinPath(joinPath(path, 'method'), 'argc'),
      'an argument count has no meaning for protobuf requests (one message); ignored',
    );
  if (method?.argp !== undefined)
    c.warn(
      joinPath(joinPath(path, 'method'), 'argp'),
      'Java parameter types have no meaning for protobuf requests; ignored',
    );
  if (method?.headers !== undefined)
    c.warn(
      joinPath(joinPath(path, 'method'), 'headers'),
      'Dubbo does not read method.headers; use headers or attachments.dubboContext',
    );
  method?.args?.forEach((a, i) => {
    const p = joinPath(joinPath(joinPath(path, 'method'), 'args'), i);
    if (a.index < 0) c.invalid(joinPath(p, 'index'), a.index, 'must be 0 or more');
    const kinds = [a.str_value, a.num_value, a.bool_value].filter((v) => v !== undefined).length;
    if (kinds !== 1) c.error(p, 'one of str_value, num_value, bool_value must be set');
    a.str_value?.oneof.forEach((s, j) => {
      checkStringMatch(c, joinPath(joinPath(joinPath(p, 'str_value'), 'oneof'), j), s);
    });
  });
  if (m.attachments?.tracingContext !== undefined)
    c.warn(
      joinPath(joinPath(path, 'attachments'), 'tracingContext'),
      'tracing context providers are Java plug-ins; ignored',
    );
  for (const [name, s] of Object.entries(m.attachments?.dubboContext ?? {}))
    checkStringMatch(c, joinPath(joinPath(joinPath(path, 'attachments'), 'dubboContext'), name), s);
  for (const [name, s] of Object.entries(m.headers ?? {}))
    checkStringMatch(c, joinPath(joinPath(path, 'headers'), name), s);
}

function checkDestination(c: IssueCollector, path: string, d: DubboRouteDestination): void {
  if ((d.destination as { weight?: unknown }).weight !== undefined)
    c.error(
      joinPath(joinPath(path, 'destination'), 'weight'),
      'weight belongs to the route entry, beside destination (not inside it); Dubbo ignores it there',
    );
  const problem = checkFQDN(d.destination.host);
  if (problem) c.invalid(joinPath(joinPath(path, 'destination'), 'host'), d.destination.host, problem);
  if (d.weight !== undefined && d.weight < 0)
    c.invalid(joinPath(path, 'weight'), d.weight, 'must be 0 or more');
  if (d.destination.port !== undefined && (d.destination.port < 1 || d.destination.port > 65535))
    c.invalid(
      joinPath(joinPath(path, 'destination'), 'port'),
      d.destination.port,
      'must be a port number 1..65535',
    );
  if (d.destination.fallback)
    checkDestination(c, joinPath(joinPath(path, 'destination'), 'fallback'), d.destination.fallback);
}
