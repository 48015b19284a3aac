// Triple's HTTP mode (Dubbo Triple spec, "Unary"): a unary method answered as plain HTTP, on
// HTTP/1.1 or HTTP/2, with `application/json` or `application/proto` bodies. A JSON body is the
// request message, or a one-element array holding it (the spec's argument-list form).
// Errors are non-200 (code → HTTP status per the spec's table) with a JSON body
// `{"status": <number>, "code": "<CODE_NAME>", "message": "..."}`: `status` is the numeric code, as
// Triple's implementations read it (dubbo-js: errorFromJson), `code` its name for people.

import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type net from 'node:net';
import type { JsonValue } from '@bufbuild/protobuf';
import { Code, codeName, httpStatusFromCode } from '../code.js';
import { findCompression } from '../compression.js';
import type { HandlerContext } from '../handler-context.js';
import { isStreamingRequest, isStreamingResponse } from '../method-types.js';
import { RpcError } from '../rpc-error.js';
import { type Codec, codecFromHttpContentType, type Serialization } from '../serialization.js';
import { timeoutFromHeaders } from '../timeout.js';
import { HttpCallContext } from './http-call-context.js';
import { invokeMethod } from './invoke.js';
import { serverRequest } from './lazy-request.js';
import type { ServerCore } from './server-core.js';

/** The parts of an HTTP/1.1 request or an HTTP/2 stream that this handler needs. */
export interface HttpExchange {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The connection's socket; the call's peer and addresses are read from it only when asked. */
  readonly socket: net.Socket | undefined;
  /** The whole request body; past `limit` bytes it fails with RESOURCE_EXHAUSTED. */
  readAll(limit: number): Promise<Buffer>;
  /** A string body is UTF-8 (JSON); its content-length is counted here. */
  respond(status: number, headers: OutgoingHttpHeaders, body: Uint8Array | string): void;
  onClose(listener: () => void): void;
}

const contentTypes: Record<Codec, string> = { json: 'application/json', proto: 'application/proto' };

export async function handleHttpCall(core: ServerCore, exchange: HttpExchange): Promise<void> {
  const context = new HttpCallContext(exchange.headers, exchange.socket);
  let done = false;
  exchange.onClose(() => {
    if (!done) context.cancel(new RpcError(Code.CANCELLED, 'client closed the connection'));
  });
  let codec: Codec = 'json';
  let timer: NodeJS.Timeout | undefined;
  try {
    const contentType = exchange.headers['content-type'];
    const found = codecFromHttpContentType(contentType);
    if (exchange.method !== 'POST') {
      return sendError(
        exchange,
        405,
        new RpcError(Code.UNIMPLEMENTED, `method ${exchange.method} not allowed, use POST`),
        {
          allow: 'POST',
        },
      );
    }
    if (!found) {
      return sendError(
        exchange,
        415,
        new RpcError(
          Code.INTERNAL,
          `unsupported content-type "${contentType ?? ''}": use application/json or application/proto (or application/grpc over HTTP/2)`,
        ),
      );
    }
    codec = found;
    const version = (exchange.headers['tri-service-version'] as string | undefined) ?? '';
    const group = (exchange.headers['tri-service-group'] as string | undefined) ?? '';
    const query = exchange.path.indexOf('?');
    const path = query < 0 ? exchange.path : exchange.path.slice(0, query);
    const registered = core.router.resolve(path, version, group);
    const { method } = registered;
    context.method = method;
    context.version = registered.version;
    context.group = registered.group;
    if (isStreamingRequest(method) || isStreamingResponse(method)) {
      throw new RpcError(
        Code.UNIMPLEMENTED,
        `${exchange.path} is a streaming method: call it with gRPC over HTTP/2`,
      );
    }
    const timeout = timeoutFromHeaders(exchange.headers as Record<string, string>);
    if (timeout !== undefined && Number.isNaN(timeout))
      throw new RpcError(Code.INVALID_ARGUMENT, 'malformed timeout header');
    context.deadline = timeout === undefined ? undefined : Date.now() + timeout;
    // Only a call with a timeout races its deadline (a promise and a timer less per call otherwise).
    let deadlineExceeded: Promise<never> | undefined;
    if (timeout !== undefined) {
      deadlineExceeded = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const err = new RpcError(Code.DEADLINE_EXCEEDED, 'deadline exceeded');
          context.cancel(err);
          reject(err);
        }, timeout);
      });
      deadlineExceeded.catch(() => {});
    }
    const reading = readBody(core, exchange);
    const body = await (deadlineExceeded ? Promise.race([reading, deadlineExceeded]) : reading);
    const serializers = core.serializers(method, codec);
    const reader = serializers.request;
    const message = codec === 'json' ? parseJsonRequest(method.input, reader, body) : reader.parse(body);
    const invoked = invokeMethod(
      registered,
      context,
      core.interceptors,
      serverRequest(context, core.interceptors.length > 0, false, message, timeout),
    );
    const response = await (deadlineExceeded ? Promise.race([invoked, deadlineExceeded]) : invoked);
    if (response.stream) throw new RpcError(Code.INTERNAL, 'unary handler produced a stream');
    const writer = serializers.response;
    const answer = writer.serializeText
      ? writer.serializeText(response.message)
      : writer.serialize(response.message);
    const headers: OutgoingHttpHeaders = { 'content-type': contentTypes[codec] };
    context.writeResponseMetadata(headers);
    exchange.respond(200, headers, answer);
  } catch (err) {
    const error = RpcError.from(err);
    const headers: OutgoingHttpHeaders = {};
    context.writeResponseMetadata(headers);
    error.metadata.writeTo(headers);
    sendError(exchange, httpStatusFromCode(error.code), error, headers);
  } finally {
    done = true;
    clearTimeout(timer);
  }
}

/** Errors are JSON whatever the request's codec, so a person with curl can read them. */
function sendError(exchange: HttpExchange, status: number, error: RpcError, extra: OutgoingHttpHeaders = {}) {
  const body = JSON.stringify({ status: error.code, code: codeName(error.code), message: error.rawMessage });
  exchange.respond(status, { ...extra, 'content-type': 'application/json' }, body);
}

/**
 * The request message from a JSON body: the message, or a one-element array holding it. Read with
 * the method's codec, so the server's jsonRegistry resolves google.protobuf.Any as in gRPC+JSON.
 */
function parseJsonRequest(
  schema: HandlerContext['method']['input'],
  codec: Serialization<unknown>,
  body: Uint8Array,
): unknown {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  let value: JsonValue;
  try {
    value = text.trim() === '' ? {} : (JSON.parse(text) as JsonValue);
  } catch (err) {
    throw new RpcError(Code.INVALID_ARGUMENT, `invalid JSON request body: ${(err as Error).message}`);
  }
  if (Array.isArray(value)) {
    if (value.length > 1) {
      throw new RpcError(
        Code.INVALID_ARGUMENT,
        `request body is an array of ${value.length} arguments; ${schema.typeName} takes one`,
      );
    }
    value = value[0] ?? {};
  }
  return codec.parseJson!(value);
}

/** The request body, decompressed; checked before it is read. Not async: no extra promise per call. */
function readBody(core: ServerCore, exchange: HttpExchange): Promise<Uint8Array> {
  const limit = core.maxReceiveMessageBytes;
  const declared = Number(exchange.headers['content-length'] ?? 0);
  if (declared > limit)
    throw new RpcError(Code.RESOURCE_EXHAUSTED, `request body larger than max (${declared} vs. ${limit})`);
  const encoding = exchange.headers['content-encoding'];
  const compression = findCompression(core.compressions, encoding);
  if (!compression) throw new RpcError(Code.UNIMPLEMENTED, `unsupported content-encoding "${encoding}"`);
  const body = exchange.readAll(limit);
  return compression === 'identity' ? body : body.then((bytes) => compression.decompress(bytes, limit));
}

/** Past `limit` bytes of request body. */
export function bodyTooLarge(limit: number): RpcError {
  return new RpcError(Code.RESOURCE_EXHAUSTED, `request body larger than max (more than ${limit} bytes)`);
}
