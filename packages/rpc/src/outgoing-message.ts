// One message a client or a server sends: serialized, checked against the send limit before any
// compression (gRPC's max send message size, RESOURCE_EXHAUSTED past it, on either side), and,
// when it goes out uncompressed, framed behind its gRPC length prefix.

import { Code } from './code.js';
import { closeEnvelope, encodeEnvelope, envelopeHeaderLength } from './envelope.js';
import { RpcError } from './rpc-error.js';
import type { Serialization } from './serialization.js';

/** The message's bytes, to be compressed and then framed; throws past `maxBytes`. */
export function serializeToSend<T>(
  serialization: Serialization<T>,
  message: T,
  maxBytes: number,
): Uint8Array {
  const bytes = serialization.serialize(message);
  checkSendSize(bytes.byteLength, maxBytes);
  return bytes;
}

/**
 * The message framed uncompressed, ready to write: encoded behind its length prefix when the
 * codec can (one buffer, no copy); throws past `maxBytes`.
 */
export function frameToSend<T>(serialization: Serialization<T>, message: T, maxBytes: number): Buffer {
  const framed = serialization.serializeFramed?.(message);
  if (framed === undefined) return encodeEnvelope(serializeToSend(serialization, message, maxBytes));
  checkSendSize(framed.byteLength - envelopeHeaderLength, maxBytes);
  return closeEnvelope(framed);
}

function checkSendSize(size: number, maxBytes: number): void {
  if (size > maxBytes) {
    throw new RpcError(Code.RESOURCE_EXHAUSTED, `sent message larger than max (${size} vs. ${maxBytes})`);
  }
}
