// gRPC interop test cases (doc/interop-test-descriptions.md, "Client"), each with the requests
// and assertions the descriptions give, run through an InteropStub. A case resolves on pass and
// throws an InteropFailure that says what differed on fail.

import { Code } from '@shoal/rpc';
import {
  checkPayload,
  checkSizes,
  collect,
  expectStatus,
  fail,
  from,
  InteropFailure,
} from './case-support.js';
import { RequestQueue } from './request-queue.js';
import type { InteropStub, MetadataReader, StreamingOutputCallRequestInit, StubCallOptions } from './stub.js';

type TestCase = (stub: InteropStub) => Promise<void>;

const echoInitialKey = 'x-grpc-test-echo-initial';
const echoInitialValue = 'test_initial_metadata_value';
const echoTrailingKey = 'x-grpc-test-echo-trailing-bin';
const echoTrailingValue = new Uint8Array([0xab, 0xab, 0xab]);
const specialStatusMessage = '\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n';

const zeros = (size: number) => new Uint8Array(size);

const largeRequest = { responseSize: 314159, payload: { body: zeros(271828) } };

async function clientCompressedUnary(stub: InteropStub, probe: boolean): Promise<void> {
  if (probe) {
    // A server with the CompressedRequest feature refuses an uncompressed request that expects compression.
    await expectStatus(
      stub,
      'uncompressed probe with expect_compressed',
      () => stub.unaryCall({ ...largeRequest, expectCompressed: { value: true } }),
      Code.INVALID_ARGUMENT,
    );
  }
  const compressed = await stub.unaryCall(
    { ...largeRequest, expectCompressed: { value: true } },
    { compressed: true },
  );
  checkPayload(compressed, 314159, 'compressed request');
  const plain = await stub.unaryCall({ ...largeRequest, expectCompressed: { value: false } });
  checkPayload(plain, 314159, 'uncompressed request');
}

/** Sends custom metadata and checks the server echoes it in the initial and trailing metadata. */
function echoedMetadata(): { options: StubCallOptions; check(what: string): void } {
  let header: MetadataReader | undefined;
  let trailer: MetadataReader | undefined;
  return {
    options: {
      headers: { [echoInitialKey]: echoInitialValue, [echoTrailingKey]: echoTrailingValue },
      onHeader: (read) => (header = read),
      onTrailer: (read) => (trailer = read),
    },
    check(what) {
      const initial = header?.(echoInitialKey);
      if (initial !== echoInitialValue) {
        fail(`${what}: initial metadata ${echoInitialKey} is ${JSON.stringify(initial)}`);
      }
      const trailing = trailer?.(echoTrailingKey);
      if (!(trailing instanceof Uint8Array) || Buffer.compare(trailing, echoTrailingValue) !== 0) {
        const shown = trailing instanceof Uint8Array ? Buffer.from(trailing).toString('hex') : trailing;
        fail(`${what}: trailing metadata ${echoTrailingKey} is ${JSON.stringify(shown)}, expected ababab`);
      }
    },
  };
}

const pingPongSizes: Array<[request: number, response: number]> = [
  [27182, 31415],
  [8, 9],
  [1828, 2653],
  [45904, 58979],
];

const testCases: Record<string, TestCase> = {
  async empty_unary(stub) {
    const response = await stub.emptyCall({});
    if (response === undefined || response === null) fail('empty_unary: no response');
  },

  async large_unary(stub) {
    checkPayload(await stub.unaryCall(largeRequest), 314159, 'large_unary');
  },

  client_compressed_unary: (stub) => clientCompressedUnary(stub, true),

  // As gRPC's Java client offers: for servers that cannot see whether a request was compressed.
  client_compressed_unary_noprobe: (stub) => clientCompressedUnary(stub, false),

  async server_compressed_unary(stub) {
    // The compressed flag of a response message is below what a client API shows; the raw
    // flag is checked by this package's tests against Shoal's server.
    for (const value of [true, false]) {
      const response = await stub.unaryCall({ ...largeRequest, responseCompressed: { value } });
      checkPayload(response, 314159, `response_compressed=${value}`);
    }
  },

  async client_streaming(stub) {
    const sizes = [27182, 8, 1828, 45904];
    const response = await stub.streamingInputCall(from(sizes.map((n) => ({ payload: { body: zeros(n) } }))));
    if (response.aggregatedPayloadSize !== 74922) {
      fail(`client_streaming: aggregated_payload_size ${response.aggregatedPayloadSize}, expected 74922`);
    }
  },

  async server_streaming(stub) {
    const sizes = [31415, 9, 2653, 58979];
    const responses = await collect(
      stub.streamingOutputCall({ responseParameters: sizes.map((size) => ({ size })) }),
    );
    checkSizes(responses, sizes, 'server_streaming');
  },

  async ping_pong(stub) {
    const requests = new RequestQueue<StreamingOutputCallRequestInit>();
    try {
      const responses = stub.fullDuplexCall(requests)[Symbol.asyncIterator]();
      for (const [i, [requestSize, responseSize]] of pingPongSizes.entries()) {
        requests.push({
          responseParameters: [{ size: responseSize }],
          payload: { body: zeros(requestSize) },
        });
        const next = await responses.next();
        if (next.done) fail(`ping_pong: the stream ended after ${i} responses, expected 4`);
        checkPayload(next.value, responseSize, `ping_pong: response ${i}`);
      }
      requests.end();
      const last = await responses.next();
      if (!last.done) fail('ping_pong: more than 4 responses');
    } finally {
      requests.end();
    }
  },

  async empty_stream(stub) {
    const responses = await collect(stub.fullDuplexCall(from([])));
    if (responses.length !== 0) fail(`empty_stream: ${responses.length} responses, expected none`);
  },

  async timeout_on_sleeping_server(stub) {
    const requests = new RequestQueue<StreamingOutputCallRequestInit>();
    requests.push({ payload: { body: zeros(27182) } });
    try {
      await expectStatus(
        stub,
        'timeout_on_sleeping_server',
        () => collect(stub.fullDuplexCall(requests, { timeoutMs: 1 })),
        Code.DEADLINE_EXCEEDED,
      );
    } finally {
      requests.end();
    }
  },

  async cancel_after_begin(stub) {
    const requests = new RequestQueue<{ payload: { body: Uint8Array } }>();
    const controller = new AbortController();
    try {
      const pending = stub.streamingInputCall(requests, { signal: controller.signal });
      controller.abort();
      await expectStatus(stub, 'cancel_after_begin', () => pending, Code.CANCELLED);
    } finally {
      requests.end();
    }
  },

  async cancel_after_first_response(stub) {
    const requests = new RequestQueue<StreamingOutputCallRequestInit>();
    const controller = new AbortController();
    requests.push({ responseParameters: [{ size: 31415 }], payload: { body: zeros(27182) } });
    try {
      const responses = stub.fullDuplexCall(requests, { signal: controller.signal })[Symbol.asyncIterator]();
      const first = await responses.next();
      if (first.done) fail('cancel_after_first_response: the stream ended without a response');
      checkPayload(first.value, 31415, 'cancel_after_first_response');
      controller.abort();
      await expectStatus(stub, 'cancel_after_first_response', () => responses.next(), Code.CANCELLED);
    } finally {
      requests.end();
    }
  },

  async custom_metadata(stub) {
    const unary = echoedMetadata();
    checkPayload(await stub.unaryCall(largeRequest, unary.options), 314159, 'custom_metadata: UnaryCall');
    unary.check('custom_metadata: UnaryCall');
    const duplex = echoedMetadata();
    const request = { responseParameters: [{ size: 314159 }], payload: { body: zeros(271828) } };
    const responses = await collect(stub.fullDuplexCall(from([request]), duplex.options));
    checkSizes(responses, [314159], 'custom_metadata: FullDuplexCall');
    duplex.check('custom_metadata: FullDuplexCall');
  },

  async status_code_and_message(stub) {
    const responseStatus = { code: Code.UNKNOWN, message: 'test status message' };
    await expectStatus(
      stub,
      'status_code_and_message: UnaryCall',
      () => stub.unaryCall({ responseStatus }),
      Code.UNKNOWN,
      responseStatus.message,
    );
    await expectStatus(
      stub,
      'status_code_and_message: FullDuplexCall',
      () => collect(stub.fullDuplexCall(from([{ responseStatus }]))),
      Code.UNKNOWN,
      responseStatus.message,
    );
  },

  async special_status_message(stub) {
    await expectStatus(
      stub,
      'special_status_message',
      () => stub.unaryCall({ responseStatus: { code: Code.UNKNOWN, message: specialStatusMessage } }),
      Code.UNKNOWN,
      specialStatusMessage,
    );
  },

  async unimplemented_method(stub) {
    await expectStatus(stub, 'unimplemented_method', () => stub.unimplementedCall({}), Code.UNIMPLEMENTED);
  },

  async unimplemented_service(stub) {
    await expectStatus(
      stub,
      'unimplemented_service',
      () => stub.unimplementedServiceCall({}),
      Code.UNIMPLEMENTED,
    );
  },
};

/** Every test case this harness implements. */
export const testCaseNames: readonly string[] = Object.keys(testCases);

/** Runs one test case; throws InteropFailure (or the call's own error) when it fails. */
export async function runTestCase(stub: InteropStub, name: string): Promise<void> {
  const testCase = testCases[name];
  if (!testCase) {
    throw new InteropFailure(`unknown test case "${name}" (known: ${testCaseNames.join(', ')})`);
  }
  await testCase(stub);
}
