// gRPC xDS interop: the TestService of gRPC's xDS interop server. Every call answers with the
// server's hostname (in the `hostname` response header, and in SimpleResponse.hostname), so the
// client can count calls per backend; `rpc-behavior` metadata can delay or fail calls.

import { Code, type HandlerContext, RpcError, type ServiceImpl } from '@shoal/rpc';
import type { TestService } from '../gen/grpc/testing/test_pb.js';
import { applyRpcBehaviors } from './rpc-behavior.js';

export const HOSTNAME_HEADER = 'hostname';

/** Largest payload UnaryCall builds on request (gRPC's max message size). */
const MAX_RESPONSE_SIZE = 4 * 1024 * 1024 - 64;

export interface TestServiceIdentity {
  /** Reported as SimpleResponse.hostname and in the `hostname` header: tells backends apart. */
  readonly hostname: string;
  /** Reported as SimpleResponse.server_id. */
  readonly serverId: string;
}

export function xdsTestServiceImpl(identity: TestServiceIdentity): Partial<ServiceImpl<typeof TestService>> {
  const begin = async (context: HandlerContext) => {
    context.responseHeader.set(HOSTNAME_HEADER, identity.hostname);
    await applyRpcBehaviors(context.requestHeader, identity.hostname, context.signal);
  };
  return {
    async emptyCall(_request, context) {
      await begin(context);
      return {};
    },
    async unaryCall(request, context) {
      await begin(context);
      const status = request.responseStatus;
      if (status && status.code !== Code.OK) throw new RpcError(status.code as Code, status.message);
      if (request.responseSize < 0 || request.responseSize > MAX_RESPONSE_SIZE) {
        throw new RpcError(Code.INVALID_ARGUMENT, `response_size ${request.responseSize} is out of range`);
      }
      return {
        hostname: identity.hostname,
        serverId: identity.serverId,
        ...(request.responseSize > 0 ? { payload: { body: new Uint8Array(request.responseSize) } } : {}),
      };
    },
  };
}
