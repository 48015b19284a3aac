// A streamed response that tells when it ends: for whoever must act at the end of a call whose
// response is a stream (a circuit-breaker slot, outlier detection, metrics, a span).

import { Code } from '../code.js';
import type { StreamResponse } from '../interceptor.js';
import { RpcError } from '../rpc-error.js';

/** Calls `onEnd` once with the stream's status when it ends, fails or is abandoned (CANCELLED). */
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
