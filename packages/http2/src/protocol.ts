// The numbers of HTTP/2 (RFC 9113): frame types (§6), flags, error codes (§7), settings (§6.5.2),
// the client connection preface (§3.4) and the limits the RFC fixes.

/** Frame types, RFC 9113 §6. */
export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

/** Frame flags. ACK shares END_STREAM's bit (SETTINGS and PING only). */
export const Flag = {
  END_STREAM: 0x1,
  ACK: 0x1,
  END_HEADERS: 0x4,
  PADDED: 0x8,
  PRIORITY: 0x20,
} as const;

/** Error codes, RFC 9113 §7: carried by RST_STREAM and GOAWAY. */
export const ErrorCode = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  SETTINGS_TIMEOUT: 0x4,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  CONNECT_ERROR: 0xa,
  ENHANCE_YOUR_CALM: 0xb,
  INADEQUATE_SECURITY: 0xc,
  HTTP_1_1_REQUIRED: 0xd,
} as const;

const errorCodeNames = Object.keys(ErrorCode) as (keyof typeof ErrorCode)[];

/** `PROTOCOL_ERROR` for 1; `0x2a` for a code the RFC does not define. */
export function errorCodeName(code: number): string {
  return errorCodeNames[code] ?? `0x${code.toString(16)}`;
}

/** SETTINGS parameters, RFC 9113 §6.5.2. */
export const SettingId = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
  MAX_HEADER_LIST_SIZE: 0x6,
} as const;

/** The client connection preface, RFC 9113 §3.4; a SETTINGS frame follows it. */
export const CLIENT_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export const FRAME_HEADER_LENGTH = 9;
/** Largest flow-control window and largest stream identifier (31 bits). */
export const MAX_WINDOW = 2 ** 31 - 1;
export const MAX_STREAM_ID = 2 ** 31 - 1;
/** SETTINGS_MAX_FRAME_SIZE bounds, §6.5.2; the initial value is the lower one. */
export const MIN_MAX_FRAME_SIZE = 2 ** 14;
export const MAX_MAX_FRAME_SIZE = 2 ** 24 - 1;
/** SETTINGS_INITIAL_WINDOW_SIZE's initial value, and the connection window's, §6.9.2. */
export const DEFAULT_WINDOW = 65_535;
