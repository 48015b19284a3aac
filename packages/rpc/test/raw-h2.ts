// A raw node:http2 client for tests that must put exact bytes on the wire (gRPC: PROTOCOL-HTTP2),
// or break the protocol on purpose, and read back exactly what the server answered.

import http2 from 'node:http2';

export interface RawResponse {
  /** Response headers, or the whole Trailers-Only block. */
  headers: http2.IncomingHttpHeaders;
  /** Trailers when they came separately. */
  trailers: http2.IncomingHttpHeaders;
  /** Every DATA byte of the response. */
  data: Buffer;
  /** RST_STREAM code when the server reset the stream. */
  rstCode: number | undefined;
}

export interface RawRequest {
  path: string;
  headers?: http2.OutgoingHttpHeaders;
  /** Written in order; the request ends after the last one unless `keepOpen`. */
  chunks?: Uint8Array[];
  keepOpen?: boolean;
}

/** One request on its own connection; resolves when the stream closes. */
export function rawCall(port: number, request: RawRequest): Promise<RawResponse> {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  session.on('error', () => {});
  return rawCallOn(session, request).finally(() => session.close());
}

export function rawCallOn(session: http2.ClientHttp2Session, request: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ':method': 'POST',
      ':path': request.path,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...request.headers,
    });
    const out: RawResponse = { headers: {}, trailers: {}, data: Buffer.alloc(0), rstCode: undefined };
    const chunks: Buffer[] = [];
    stream.on('response', (h) => (out.headers = h));
    stream.on('trailers', (t) => (out.trailers = t));
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', () => {}); // reported as rstCode
    stream.on('close', () => {
      out.data = Buffer.concat(chunks);
      out.rstCode = stream.rstCode || undefined;
      resolve(out);
    });
    session.once('error', reject);
    for (const chunk of request.chunks ?? []) stream.write(chunk);
    if (!request.keepOpen) stream.end();
  });
}

/** The gRPC status of a response: from its trailers, or from a Trailers-Only header block. */
export function statusOf(res: RawResponse): { code: number; message: string } {
  const block = res.trailers['grpc-status'] !== undefined ? res.trailers : res.headers;
  const raw = block['grpc-message'] as string | undefined;
  return {
    code: Number(block['grpc-status'] ?? Number.NaN),
    message: raw ? decodeURIComponent(raw) : '',
  };
}

/** Splits response bytes into [compressed flag, message bytes] pairs. */
export function framesOf(data: Buffer): Array<[number, Buffer]> {
  const out: Array<[number, Buffer]> = [];
  for (let at = 0; at + 5 <= data.byteLength; ) {
    const length = data.readUInt32BE(at + 1);
    out.push([data[at]!, data.subarray(at + 5, at + 5 + length)]);
    at += 5 + length;
  }
  return out;
}
