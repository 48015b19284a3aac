// Triple's HTTP mode over HTTP/1.1: one node:http request and its response seen as an
// HttpExchange (the HTTP/2 twin is stream-exchange.ts). One object per call with its methods on
// the prototype, not an object of closures; the body is read with listeners that are never
// removed (the request is dropped with the call). Each of these cost a fraction of a microsecond
// per call on a path whose peer is a bare node:http server.

import type http from 'node:http';
import type { OutgoingHttpHeaders } from 'node:http';
import { Code } from '../code.js';
import { RpcError } from '../rpc-error.js';
import { bodyTooLarge, type HttpExchange } from './http-server-call.js';

export class Http1Exchange implements HttpExchange {
  readonly method: string;
  readonly path: string;

  constructor(
    private readonly req: http.IncomingMessage,
    private readonly res: http.ServerResponse,
  ) {
    this.method = req.method ?? 'GET';
    this.path = req.url ?? '/';
  }

  get headers(): http.IncomingHttpHeaders {
    return this.req.headers;
  }

  get socket(): http.IncomingMessage['socket'] {
    return this.req.socket;
  }

  /** The whole body; past `limit` bytes it stops reading and fails with RESOURCE_EXHAUSTED. */
  readAll(limit: number): Promise<Buffer> {
    const req = this.req;
    return new Promise((resolve, reject) => {
      let first: Buffer | undefined;
      let chunks: Buffer[] | undefined;
      let size = 0;
      let settled = false;
      req.on('data', (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > limit) {
          settled = true;
          req.destroy();
          reject(bodyTooLarge(limit));
        } else if (first === undefined) first = chunk;
        else (chunks ??= [first]).push(chunk);
      });
      req.on('end', () => {
        settled = true;
        resolve(chunks ? Buffer.concat(chunks, size) : (first ?? Buffer.alloc(0)));
      });
      // 'close' follows 'end' on every request: an error (and its stack) only when it ends early.
      req.on('close', () => {
        if (settled) return;
        settled = true;
        reject(new RpcError(Code.CANCELLED, 'client closed the connection before the request body ended'));
      });
      req.on('error', reject);
    });
  }

  /** A string body is UTF-8 (JSON); its content-length is counted here. */
  respond(status: number, headers: OutgoingHttpHeaders, body: Uint8Array | string): void {
    const res = this.res;
    if (res.destroyed) return;
    // The caller's object, made for this response.
    headers['content-length'] = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    res.writeHead(status, headers);
    res.end(body);
  }

  onClose(listener: () => void): void {
    this.res.on('close', listener); // 'close' comes once; once() would wrap it
  }
}
