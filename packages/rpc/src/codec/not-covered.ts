// The signal that a value or a message is not one the binary codec handles itself: the caller
// then hands the whole message to protobuf-es, which encodes it or throws its own error.

export const NOT_COVERED: unique symbol = Symbol('not covered by the binary codec');
