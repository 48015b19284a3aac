// Envoy's direct_response (Istio: HTTPRoute.directResponse), answered by the mesh client itself,
// with no endpoint called: the call ends with the gRPC code a gRPC client reads from that HTTP
// status (gRPC's doc/http-grpc-status-mapping.md: 403 PERMISSION_DENIED, 404 UNIMPLEMENTED,
// 503 UNAVAILABLE, …; a status without a gRPC one, 200 included, is UNKNOWN), and the body, when
// there is one, as its message. The same code the route's fault-abort form gives every gRPC client
// (control plane: direct-response.ts). Internal.

import { RpcError } from '@shoal/rpc/client';
import { codeFromHttpStatus } from '@shoal/rpc/plugins';

export function directResponseError(status: number, body: string | undefined, route: string): RpcError {
  const message = body !== undefined && body !== '' ? body : `direct response ${status} from route ${route}`;
  return new RpcError(codeFromHttpStatus(status), message);
}
