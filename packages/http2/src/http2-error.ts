// The one error type of @shoal/http2: an RFC 9113 error code (§7) and whether it ends the
// connection or one stream (§5.4), with what went wrong and where.

import { errorCodeName } from './protocol.js';

export class Http2Error extends Error {
  override readonly name = 'Http2Error';

  constructor(
    /** The RFC 9113 error code (ErrorCode). */
    readonly code: number,
    message: string,
    /**
     * `connection`: the connection is over (GOAWAY). `stream`: one stream was reset (RST_STREAM).
     * `local` tells who detected it: false when the peer sent the code.
     */
    readonly scope: 'connection' | 'stream',
    readonly local = true,
    options?: ErrorOptions,
  ) {
    super(`${message} (${errorCodeName(code)})`, options);
  }
}

/** A connection error we detected: the connection sends GOAWAY with `code` and closes. */
export function connectionError(code: number, message: string): Http2Error {
  return new Http2Error(code, message, 'connection');
}

/** A stream error we detected: the stream is reset with `code`; the connection lives on. */
export function streamError(code: number, message: string): Http2Error {
  return new Http2Error(code, message, 'stream');
}
