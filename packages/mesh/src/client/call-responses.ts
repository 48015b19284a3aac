// Responses as the mesh transport hands them back: a streamed response tells the mesh when it
// ends (rpc's trackStream: to free the circuit-breaker slot, finish least_request's count and feed
// outlier detection), and a fault abort with status OK (gRFC A33) ends a call with no message.

import { create } from '@bufbuild/protobuf';
import { type CallRequest, type CallResponse, Metadata } from '@shoal/rpc/client';

/** gRFC A33: an abort with status OK ends the call at once, with no message. */
export function emptyResponse(request: CallRequest): CallResponse {
  const header = new Metadata();
  const trailer = new Metadata();
  if (request.method.methodKind === 'unary' || request.method.methodKind === 'client_streaming')
    return { stream: false, header, message: create(request.method.output), trailer };
  return { stream: true, header, message: (async function* () {})(), trailer };
}
