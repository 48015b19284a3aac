// The xDS clients nobody here wrote, behind one small interface so every scenario runs on each:
// gRPC C-core (python3-grpcio, a process) and @grpc/grpc-js-xds (in this process).

import * as grpc from '@grpc/grpc-js';
import { WHO_PATH } from '../grpc-js-xds/harness.js';
import type { CallsOptions, CallsResult, CoreXdsPeer } from './core-xds-peer.js';

export interface XdsPeer {
  readonly name: string;
  calls(o: CallsOptions): Promise<CallsResult>;
}

export function corePeer(name: string, core: CoreXdsPeer, target: string): XdsPeer {
  return { name, calls: (o) => core.calls(target, o) };
}

/** The same tallies from a grpc-js client (WHO_PATH, raw bytes), `concurrency` calls at a time. */
export function grpcJsPeer(name: string, client: grpc.Client): XdsPeer {
  const one = (o: CallsOptions) =>
    new Promise<string>((resolve, reject) => {
      const md = new grpc.Metadata();
      for (const [k, v] of Object.entries(o.metadata ?? {})) md.set(k, v);
      client.makeUnaryRequest(
        o.method ?? WHO_PATH,
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.alloc(0),
        md,
        { deadline: Date.now() + (o.timeoutMs ?? 5000) },
        (err, res) => (err ? reject(err) : resolve(res!.toString())),
      );
    });
  return {
    name,
    async calls(o) {
      const result: CallsResult = { ok: {}, errors: {}, messages: {}, ms: { min: 0, p50: 0, max: 0 } };
      const times: number[] = [];
      let next = 0;
      const worker = async () => {
        while (next < o.count) {
          next++;
          const begun = performance.now();
          try {
            const text = await one(o);
            result.ok[text] = (result.ok[text] ?? 0) + 1;
          } catch (err) {
            const code = grpc.status[(err as grpc.ServiceError).code] ?? 'UNKNOWN';
            result.errors[code] = (result.errors[code] ?? 0) + 1;
            result.messages[code] ??= (err as grpc.ServiceError).details ?? '';
          }
          times.push(performance.now() - begun);
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, o.concurrency ?? 1) }, worker));
      times.sort((a, b) => a - b);
      result.ms = {
        min: times[0] ?? 0,
        p50: times[Math.floor(times.length / 2)] ?? 0,
        max: times.at(-1) ?? 0,
      };
      return result;
    },
  };
}

/** Percentage of answers that came from `name`. */
export function share(r: CallsResult, name: string): number {
  const total = Object.values(r.ok).reduce((a, b) => a + b, 0);
  return total === 0 ? 0 : ((r.ok[name] ?? 0) * 100) / total;
}
