// Istio's HTTPRoute.directResponse for proxyless gRPC clients. Envoy's direct_response action is
// not read by every gRPC client: grpc-js-xds 1.14 NACKs the whole RouteConfiguration for it
// ("unsupported action"), and gRFC A28 clients only fail such calls with UNAVAILABLE. So it is
// sent as what every gRPC client honours with the same result: a route to the host's own cluster
// with a 100% fault abort of that HTTP status (gRFC A33), which ends the call in the client, with
// the gRPC code of that status (gRPC's http-grpc-status-mapping: 403 PERMISSION_DENIED,
// 503 UNAVAILABLE, …), and no endpoint called. The body has no place in a gRPC abort and is not
// sent (`shoal validate` warns). Shoal's mesh client reads a real direct_response as well (from
// istiod or any other control plane). An Envoy sidecar gets Envoy's direct_response, body and all.
// Envoy: config.route.v3.DirectResponseAction, extensions.filters.http.fault.v3.HTTPFault.

import { create } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import { envoy } from '@shoal/xds';
import type { HTTPDirectResponse } from '../config/networking-types.js';
import { buildFault, FAULT_FILTER_NAME } from './fault-config.js';
import { clusterFor, type RouteContext } from './route-action.js';

/** Makes `route` answer every call with `d.status` in the client. */
export function answerDirectly(route: envoy.Route, d: HTTPDirectResponse, ctx: RouteContext): void {
  if (ctx.sidecar) {
    const body = d.body?.string ?? d.body?.bytes;
    route.action = {
      case: 'directResponse',
      value: create(envoy.DirectResponseActionSchema, {
        status: d.status,
        ...(body !== undefined && {
          body: {
            specifier:
              d.body?.string !== undefined
                ? { case: 'inlineString', value: body }
                : { case: 'inlineBytes', value: new Uint8Array(Buffer.from(body, 'base64')) },
          },
        }),
      }),
    };
    return;
  }
  route.action = {
    case: 'route',
    value: create(envoy.RouteActionSchema, {
      clusterSpecifier: { case: 'cluster', value: clusterFor({ host: ctx.host }, ctx) },
    }),
  };
  const fault = buildFault({ abort: { httpStatus: d.status, percentage: { value: 100 } } });
  if (fault) route.typedPerFilterConfig[FAULT_FILTER_NAME] = anyPack(envoy.HTTPFaultSchema, fault);
}
