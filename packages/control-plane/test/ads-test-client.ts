// Internal, for tests only: an ADS stream driven step by step over a real gRPC connection with the
// @shoal/rpc client, so tests can send one request, await one response, or prove none arrives.

import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { type Client, createClient, GrpcTransport } from '@shoal/rpc';
import { envoy } from '@shoal/xds';

class Pushable<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private wake: (() => void) | undefined;
  private ended = false;

  push(item: T): void {
    this.items.push(item);
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        yield item;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
  }
}

export class TestStream<Req, Res> {
  private readonly requests = new Pushable<Req>();
  private readonly responses: Res[] = [];
  private waiter: (() => void) | undefined;
  private error: unknown;
  private done = false;
  private readonly abort = new AbortController();

  constructor(open: (requests: AsyncIterable<Req>, signal: AbortSignal) => AsyncIterable<Res>) {
    void (async () => {
      try {
        for await (const res of open(this.requests, this.abort.signal)) {
          this.responses.push(res);
          this.waiter?.();
        }
      } catch (err) {
        this.error = err;
      } finally {
        this.done = true;
        this.waiter?.();
      }
    })();
  }

  send(req: Req): void {
    this.requests.push(req);
  }

  /** The next response, failing after `timeoutMs`. */
  async recv(timeoutMs = 2000): Promise<Res> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = this.responses.shift();
      if (res !== undefined) return res;
      if (this.error) throw this.error;
      if (this.done) throw new Error('stream ended');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no response within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
  }

  /** Resolves if nothing arrives for `ms`; fails with what arrived otherwise. */
  async expectNone(ms = 150): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
    if (this.responses.length > 0)
      throw new Error(`unexpected response: ${JSON.stringify(this.responses[0], replacer)}`);
  }

  /** The error the stream ended with. */
  async ended(timeoutMs = 2000): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    while (!this.done && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.error;
  }

  close(): void {
    this.requests.end();
  }

  cancel(): void {
    this.abort.abort();
  }
}

function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint'
    ? value.toString()
    : value instanceof Uint8Array
      ? `<${value.length} bytes>`
      : value;
}

export type AdsClient = Client<typeof envoy.AggregatedDiscoveryService>;

export function adsClient(port: number): { client: AdsClient; close: () => void } {
  const transport = new GrpcTransport({ address: `127.0.0.1:${port}` });
  return {
    client: createClient(envoy.AggregatedDiscoveryService, transport),
    close: () => transport.close(),
  };
}

export function sotwStream(client: AdsClient): TestStream<envoy.DiscoveryRequest, envoy.DiscoveryResponse> {
  return new TestStream((requests, signal) => client.streamAggregatedResources(requests, { signal }));
}

export function deltaStream(
  client: AdsClient,
): TestStream<envoy.DeltaDiscoveryRequest, envoy.DeltaDiscoveryResponse> {
  return new TestStream((requests, signal) => client.deltaAggregatedResources(requests, { signal }));
}

export const sotwRequest = (init: MessageInitShape<typeof envoy.DiscoveryRequestSchema>) =>
  create(envoy.DiscoveryRequestSchema, init);

export const deltaRequest = (init: MessageInitShape<typeof envoy.DeltaDiscoveryRequestSchema>) =>
  create(envoy.DeltaDiscoveryRequestSchema, init);

/** The SotW ACK of `res`: the same subscription, with the version and nonce it carried. */
export const sotwAck = (typeUrl: string, resourceNames: string[], res: envoy.DiscoveryResponse) =>
  sotwRequest({ typeUrl, resourceNames, versionInfo: res.versionInfo, responseNonce: res.nonce });
