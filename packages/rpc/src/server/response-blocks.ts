// Header blocks every gRPC response of a server shares, encoded once (HPACK) and sent as they
// are: the response headers for each content type and response encoding, and the trailers of a
// call that ended OK. Calls that add metadata send their own fields after the shared block.

import { encodeHeaderBlock, type HeaderBlock } from '@shoal/http2';

export class ResponseBlocks {
  private readonly headers = new Map<string, HeaderBlock>();
  /** `grpc-status: 0`, the trailers of nearly every call. */
  readonly ok: HeaderBlock = encodeHeaderBlock({ 'grpc-status': '0' });

  constructor(private readonly acceptEncoding: string) {}

  /** `:status 200`, content-type, grpc-accept-encoding and, if compressing, grpc-encoding. */
  responseHeaders(contentType: string, encoding: string | undefined): HeaderBlock {
    const key = encoding === undefined ? contentType : `${contentType}\n${encoding}`;
    let block = this.headers.get(key);
    if (block === undefined) {
      block = encodeHeaderBlock({
        ':status': 200,
        'content-type': contentType,
        'grpc-accept-encoding': this.acceptEncoding,
        ...(encoding !== undefined && { 'grpc-encoding': encoding }),
      });
      // Content types are few (proto, json, Triple's names); a client sending arbitrary
      // `application/grpc+x` types cannot grow this past a handful.
      if (this.headers.size < 64) this.headers.set(key, block);
    }
    return block;
  }
}
