// gRPC health checking (grpc.health.v1.Health, gRPC doc health-checking.md): Check answers the
// current status of a service ('' is the whole server), Watch streams every change, List tells all.

import { Code } from '../code.js';
import {
  type Health,
  type HealthCheckResponse,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from '../gen/health/v1/health_pb.js';
import type { ServiceImpl } from '../method-types.js';
import { RpcError } from '../rpc-error.js';

export { ServingStatus };

type Listener = (status: ServingStatus) => void;

/** The statuses a server reports. Owned by one server; '' is the server as a whole. */
export class HealthStatus {
  private readonly statuses = new Map<string, ServingStatus>([['', ServingStatus.SERVING]]);
  private readonly listeners = new Map<string, Set<Listener>>();

  set(service: string, status: ServingStatus): void {
    if (this.statuses.get(service) === status) return;
    this.statuses.set(service, status);
    for (const listener of this.listeners.get(service) ?? []) listener(status);
  }

  get(service: string): ServingStatus | undefined {
    return this.statuses.get(service);
  }

  /** Marks every service NOT_SERVING, as a server does when it starts shutting down. */
  shutdown(): void {
    for (const service of [...this.statuses.keys()]) this.set(service, ServingStatus.NOT_SERVING);
  }

  entries(): [string, ServingStatus][] {
    return [...this.statuses.entries()];
  }

  subscribe(service: string, listener: Listener): () => void {
    let set = this.listeners.get(service);
    if (!set) this.listeners.set(service, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }
}

export function healthImpl(health: HealthStatus): ServiceImpl<typeof Health> {
  return {
    check(request) {
      const status = health.get(request.service);
      if (status === undefined) throw new RpcError(Code.NOT_FOUND, `unknown service "${request.service}"`);
      return { status };
    },
    list() {
      return { statuses: Object.fromEntries(health.entries().map(([name, status]) => [name, { status }])) };
    },
    async *watch(request, context) {
      // Changes that arrive while the last one is being sent are kept, the newest winning.
      let pending: ServingStatus | undefined = health.get(request.service) ?? ServingStatus.SERVICE_UNKNOWN;
      let wake: (() => void) | undefined;
      const unsubscribe = health.subscribe(request.service, (status) => {
        pending = status;
        wake?.();
      });
      const aborted = new Promise<void>((resolve) =>
        context.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
      try {
        while (!context.signal.aborted) {
          if (pending !== undefined) {
            const status: ServingStatus = pending;
            pending = undefined;
            yield { status } satisfies Partial<HealthCheckResponse>;
            continue;
          }
          await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
        }
      } finally {
        unsubscribe();
      }
    },
  };
}
