// A message sent with the protobuf encoding its sender already made: the binary codec writes
// those bytes as they are rather than encoding the message again. A server that sends one value
// to thousands of streams (an xDS control plane's push) then encodes it once, not per stream. The
// JSON codec ignores them and writes the message's own fields.

const ENCODED: unique symbol = Symbol('shoal.rpc.encoded');

interface Encoded {
  [ENCODED]?: Uint8Array;
}

/**
 * Marks `message` as encoded by `bytes` (its protobuf binary form, which the caller vouches for)
 * and returns it. The binary codec sends `bytes`; the JSON codec serializes `message` as usual.
 */
export function withEncoding<T extends object>(message: T, bytes: Uint8Array): T {
  (message as Encoded)[ENCODED] = bytes;
  return message;
}

/** The bytes `withEncoding` attached to `message`, if any. */
export function encodingOf(message: unknown): Uint8Array | undefined {
  return (message as Encoded | undefined)?.[ENCODED];
}
