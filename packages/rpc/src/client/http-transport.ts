// Triple's HTTP mode from the client side: a unary call as one HTTP/1.1 POST with a JSON (or
// proto) body, as curl would send it. Streaming methods need gRPC over HTTP/2.

import http from 'node:http';
import { fromJsonString, toJsonString } from '@bufbuild/protobuf';
import type { CallOptions } from '../call-options.js';
import { Code, codeFromName, parseCode } from '../code.js';
import type { CallRequest, CallResponse } from '../interceptor.js';
import { Metadata } from '../metadata.js';
import { methodPath } from '../method-types.js';
import { RpcError } from '../rpc-error.js';
import type { Transport } from './transport.js';

/** Where an HttpTransport sends, and how. */
export interface HttpTransportOptions {
  /** `host:port`. */
  address: string;
  maxReceiveMessageBytes?: number;
}

/**
 * Triple's unary HTTP mode over HTTP/1.1 (node:http): JSON or proto bodies, as curl sends them; streaming
 * methods answer UNIMPLEMENTED.
 */
export class HttpTransport implements Transport {
  private readonly agent = new http.Agent({ keepAlive: true });

  constructor(private readonly options: HttpTransportOptions) {}

  call(request: CallRequest, options: CallOptions): Promise<CallResponse> {
    if (request.stream || request.method.methodKind !== 'unary') {
      return Promise.reject(
        new RpcError(
          Code.UNIMPLEMENTED,
          `${methodPath(request.method)} is a streaming method: use gRPC over HTTP/2`,
        ),
      );
    }
    options.onDestination?.({ endpoint: this.options.address });
    const body = Buffer.from(toJsonString(request.method.input, request.message as never));
    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'application/json',
      'content-length': body.byteLength,
    };
    request.header.writeTo(headers);
    if (request.timeoutMs !== undefined)
      headers['tri-service-timeout'] = String(Math.ceil(request.timeoutMs));
    if (options.version) headers['tri-service-version'] = options.version;
    if (options.group) headers['tri-service-group'] = options.group;
    if (request.authority !== undefined) headers.host = request.authority;
    const [host, port] = splitAddress(this.options.address);
    const limit = this.options.maxReceiveMessageBytes ?? 4 * 1024 * 1024;
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host,
          port,
          method: 'POST',
          path: request.path ?? methodPath(request.method),
          headers,
          agent: this.agent,
          signal: request.signal,
          timeout: request.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.byteLength;
            if (size > limit)
              req.destroy(new RpcError(Code.RESOURCE_EXHAUSTED, `response larger than max (${limit})`));
            else chunks.push(chunk);
          });
          res.on('error', (err) => reject(RpcError.from(err, Code.UNAVAILABLE)));
          res.on('end', () => {
            const header = Metadata.fromHttpHeaders(res.headers);
            options.onHeader?.(header);
            options.onTrailer?.(new Metadata());
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode === 200) {
              try {
                const message = fromJsonString(request.method.output, text, { ignoreUnknownFields: true });
                resolve({ stream: false, header, message, trailer: new Metadata() });
              } catch (err) {
                reject(
                  new RpcError(
                    Code.INTERNAL,
                    `cannot decode ${request.method.output.typeName}: ${(err as Error).message}`,
                  ),
                );
              }
              return;
            }
            reject(errorFromHttp(res.statusCode ?? 0, text, header));
          });
        },
      );
      req.on('timeout', () => req.destroy(new RpcError(Code.DEADLINE_EXCEEDED, 'deadline exceeded')));
      req.on('error', (err) => reject(RpcError.from(err, Code.UNAVAILABLE)));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Reads the `{"status", "code", "message"}` error body of Triple's HTTP mode (numbers or names). */
function errorFromHttp(status: number, text: string, header: Metadata): RpcError {
  try {
    const body = JSON.parse(text) as { status?: number | string; code?: number | string; message?: string };
    const code =
      (typeof body.status === 'number' ? parseCode(String(body.status)) : undefined) ??
      (typeof body.code === 'number' ? parseCode(String(body.code)) : undefined) ??
      (typeof body.status === 'string' ? codeFromName(body.status) : undefined) ??
      (typeof body.code === 'string' ? codeFromName(body.code) : undefined);
    if (code !== undefined) return new RpcError(code, body.message ?? '', { metadata: header });
  } catch {
    // not our JSON error body: fall through to the HTTP status
  }
  return new RpcError(Code.UNKNOWN, `HTTP ${status}: ${text.slice(0, 200)}`, { metadata: header });
}

function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i).replace(/^\[|\]$/g, ''), Number(address.slice(i + 1))];
}
