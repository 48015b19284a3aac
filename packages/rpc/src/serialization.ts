// Message codecs: protobuf binary and protobuf JSON (proto3 JSON mapping), chosen by content type.

import {
  type DescMessage,
  fromJson,
  fromJsonString,
  type JsonValue,
  type MessageShape,
  type Registry,
  toJsonString,
} from '@bufbuild/protobuf';
import type { Code } from './code.js';
import type { BinaryCodecs } from './codec/binary-codec.js';
import { encodingOf } from './encoded-message.js';
import { envelopeHeaderLength } from './envelope.js';
import { RpcError } from './rpc-error.js';
import { simpleJsonWriter } from './simple-json-writer.js';

export type Codec = 'proto' | 'json';

export interface Serialization<T> {
  serialize(message: T): Uint8Array;
  parse(bytes: Uint8Array): T;
  /**
   * JSON only: the message as text, for a body that is written as a string (node:http then puts
   * the head and the body in one chunk, and nothing encodes the text in between).
   */
  serializeText?(message: T): string;
  /**
   * The encoding behind a gap of a gRPC length prefix's size (the caller writes the prefix): a
   * framed message in one buffer, with no copy.
   */
  serializeFramed?(message: T): Buffer;
  /** Parses a message where it lies in a larger buffer, with no view made for it. */
  parseRange?(buf: Uint8Array, start: number, end: number): T;
  /** JSON only: the message from an already parsed JSON value, with the same options as parse(). */
  parseJson?(value: JsonValue): T;
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });
const textEncoder = new TextEncoder();

/**
 * Builds a codec for one message type. `readCode` is the code a parse failure carries: a server
 * that cannot read a request answers INVALID_ARGUMENT; a client that cannot read a response,
 * INTERNAL. Protobuf binary goes through `binary`, the instance's compiled codecs.
 */
export function createSerialization<Desc extends DescMessage>(
  schema: Desc,
  codec: Codec,
  readCode: Code,
  binary: BinaryCodecs,
  registry?: Registry,
): Serialization<MessageShape<Desc>> {
  if (codec === 'proto') {
    const compiled = binary.codec(schema);
    const parseRange = (buf: Uint8Array, start: number, end: number) => {
      try {
        return compiled.decodeRange(buf, start, end);
      } catch (err) {
        throw new RpcError(
          readCode,
          `cannot decode ${schema.typeName} from protobuf: ${(err as Error).message}`,
        );
      }
    };
    return {
      serialize: (message) => encodingOf(message) ?? compiled.encode(message),
      serializeFramed(message) {
        const encoded = encodingOf(message);
        if (encoded === undefined) return compiled.encodeAfter(envelopeHeaderLength, message);
        const framed = Buffer.allocUnsafe(envelopeHeaderLength + encoded.byteLength);
        framed.set(encoded, envelopeHeaderLength);
        return framed;
      },
      parse: (bytes) => parseRange(bytes, 0, bytes.length),
      parseRange,
    };
  }
  // The options objects are made once per method: protobuf-es reads them on every call.
  const writeOptions = { registry };
  const readOptions = { registry, ignoreUnknownFields: true };
  const simple = simpleJsonWriter(schema);
  const text = (message: MessageShape<Desc>) =>
    simple?.(message) ?? toJsonString(schema, message, writeOptions);
  const readError = (err: unknown) =>
    new RpcError(readCode, `cannot decode ${schema.typeName} from JSON: ${(err as Error).message}`);
  return {
    serialize: (message) => textEncoder.encode(text(message)),
    serializeText: text,
    parse(bytes) {
      try {
        const text = bytes.byteLength === 0 ? '{}' : textDecoder.decode(bytes);
        return fromJsonString(schema, text, readOptions);
      } catch (err) {
        throw readError(err);
      }
    },
    parseJson(value) {
      try {
        return fromJson(schema, value, readOptions);
      } catch (err) {
        throw readError(err);
      }
    },
  };
}

/** The codec that a gRPC content type names: `application/grpc`, `application/grpc+proto`, `application/grpc+json`. */
export function codecFromGrpcContentType(contentType: string | undefined): Codec | undefined {
  if (contentType === 'application/grpc') return 'proto'; // nearly every call: skip the parsing
  if (!contentType) return undefined;
  const base = contentType.split(';')[0]!.trim().toLowerCase();
  if (base === 'application/grpc' || base === 'application/grpc+proto') return 'proto';
  if (base === 'application/grpc+json') return 'json';
  return undefined;
}

/** The codec of Triple's HTTP mode: `application/json` or `application/proto` (also `application/x-protobuf`). */
export function codecFromHttpContentType(contentType: string | undefined): Codec | undefined {
  if (contentType === 'application/json') return 'json'; // the usual case: skip the parsing
  if (!contentType) return undefined;
  const base = contentType.split(';')[0]!.trim().toLowerCase();
  if (base === 'application/json') return 'json';
  if (base === 'application/proto' || base === 'application/x-protobuf' || base === 'application/protobuf') {
    return 'proto';
  }
  return undefined;
}

export function isGrpcContentType(contentType: string | undefined): boolean {
  if (contentType === 'application/grpc') return true;
  return !!contentType && contentType.toLowerCase().startsWith('application/grpc');
}
