// gRPC xDS interop client: LoadBalancerStatsService.GetClientAccumulatedStats. Counts every call
// since start, per RPC type (keyed "EMPTY_CALL"/"UNARY_CALL" as gRPC's clients do): started, and
// ended by status code; the deprecated started/succeeded/failed maps are filled as well.

import type { MessageInitShape } from '@bufbuild/protobuf';
import { Code } from '@shoal/rpc';
import type { LoadBalancerAccumulatedStatsResponseSchema } from '../gen/grpc/testing/messages_pb.js';
import { type RpcType, rpcTypeEnumName } from './client-config.js';

type AccumulatedInit = MessageInitShape<typeof LoadBalancerAccumulatedStatsResponseSchema>;

interface MethodCounts {
  started: number;
  succeeded: number;
  failed: number;
  readonly result: Map<number, number>;
}

export class AccumulatedStats {
  private readonly methods = new Map<string, MethodCounts>();

  private counts(type: RpcType): MethodCounts {
    const key = rpcTypeEnumName(type);
    let counts = this.methods.get(key);
    if (!counts) this.methods.set(key, (counts = { started: 0, succeeded: 0, failed: 0, result: new Map() }));
    return counts;
  }

  started(type: RpcType): void {
    this.counts(type).started++;
  }

  ended(type: RpcType, code: Code): void {
    const counts = this.counts(type);
    if (code === Code.OK) counts.succeeded++;
    else counts.failed++;
    counts.result.set(code, (counts.result.get(code) ?? 0) + 1);
  }

  response(): AccumulatedInit {
    const by = (f: (c: MethodCounts) => number) =>
      Object.fromEntries([...this.methods].map(([key, counts]) => [key, f(counts)]));
    return {
      numRpcsStartedByMethod: by((c) => c.started),
      numRpcsSucceededByMethod: by((c) => c.succeeded),
      numRpcsFailedByMethod: by((c) => c.failed),
      statsPerMethod: Object.fromEntries(
        [...this.methods].map(([key, c]) => [
          key,
          { rpcsStarted: c.started, result: Object.fromEntries(c.result) },
        ]),
      ),
    };
  }
}
