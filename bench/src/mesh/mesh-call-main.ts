// Child-process entry: the mesh layer's own cost per call, with the network cut out. A
// MeshTransport on the running control plane's config (route match, weighted cluster, the call
// plan, HTTP filters, circuit breaker, retry policy, endpoint pick, the per-attempt request and
// the outcome fed back to the balancer) whose endpoint transports answer at once with a ready
// response. One operation is one awaited MeshTransport.call, so the promise hops of the mesh's
// call path count too. Reports the CPU time this process spent per call (user + system, median
// of batches, after warm-up): on a shared machine it moves much less than wall time does.
// Argument: JSON {target}; the bootstrap comes from GRPC_XDS_BOOTSTRAP_CONFIG.

import { create } from '@bufbuild/protobuf';
import { MeshTransport } from '@shoal/mesh';
import { type CallRequest, type CallResponse, Metadata, type Transport } from '@shoal/rpc';
import { createXdsClient } from '@shoal/xds';
import { BenchService, EchoResponseSchema } from '../gen/shoal/bench/v1/bench_pb.js';
import { reply, runToEnd } from '../lib/child.js';
import { median } from '../lib/stats.js';
import { echoRequest } from '../rpc/payload.js';

export interface MeshCallResult {
  /** CPU ns per call, median batch. */
  nsPerCall: number;
  /** CPU ns per call of each batch. */
  batches: number[];
  /** Calls per endpoint address, as the endpoint transports saw them. */
  calls: Record<string, number>;
}

const WARMUP = 100_000;
const BATCH = 200_000;
const BATCHES = 7;

async function main({ target }: { target: string }): Promise<void> {
  const xds = createXdsClient();
  const calls: Record<string, number> = {};
  const answer: CallResponse = {
    stream: false,
    header: new Metadata(),
    message: create(EchoResponseSchema),
    trailer: new Metadata(),
  };
  const answered = Promise.resolve(answer);
  const transport = new MeshTransport({
    xds,
    target,
    endpointTransport: (address): Transport => ({
      call: () => {
        calls[address] = (calls[address] ?? 0) + 1;
        return answered;
      },
      close: () => {},
    }),
  });
  await transport.ready();
  // What a call carries: gRPC's own headers and one of the application's.
  const header = new Metadata();
  header.set('user-agent', 'shoal-bench');
  header.set('x-request-id', '5f1c');
  const request: CallRequest = {
    stream: false,
    method: BenchService.method.echo,
    header,
    signal: new AbortController().signal,
    timeoutMs: undefined,
    message: echoRequest(),
  };

  const run = async (n: number): Promise<number> => {
    const started = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      const response = await transport.call(request, {});
      if (response !== answer) throw new Error('the mesh transport changed the response');
    }
    const used = process.cpuUsage(started);
    return ((used.user + used.system) * 1000) / n;
  };

  await run(WARMUP);
  const batches: number[] = [];
  for (let i = 0; i < BATCHES; i++) batches.push(await run(BATCH));
  transport.close();
  await xds.close();
  const result: MeshCallResult = { nsPerCall: median(batches), batches, calls };
  await reply(result);
}

runToEnd(() => main(JSON.parse(process.argv[2] ?? '{}')));
