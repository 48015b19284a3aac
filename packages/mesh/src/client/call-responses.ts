// Responses as the mesh transport hands them back: a streamed response tells the mesh when it
// ends (to free the circuit-breaker slot, finish least_request's count and feed outlier
// detection).

import { Code, RpcError, type StreamResponse } from '@shoal/rpc/client';

/** Calls `onEnd` once with the stream's status when it ends, fails or is abandoned. */
export function trackStream(response: StreamResponse, onEnd: (code: Code) => void): StreamResponse {
  let ended = false;
  const end = (code: Code) => {
    if (ended) return;
    ended = true;
    onEnd(code);
  };
  const source = response.message;
  async function* messages(): AsyncGenerator<unknown> {
    try {
      yield* source;
      end(Code.OK);
    } catch (err) {
      end(RpcError.from(err).code);
      throw err;
    } finally {
      end(Code.CANCELLED);
    }
  }
  return {
    stream: true,
    header: response.header,
    message: messages(),
    get trailer() {
      return response.trailer;
    },
  };
}
