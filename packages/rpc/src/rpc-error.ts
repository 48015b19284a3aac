// The one error type of Shoal: a gRPC status code, a message, metadata (trailers) and
// rich details (google.rpc.Status carried in `grpc-status-details-bin`, gRPC: error model).

import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import { Http2Error } from '@shoal/http2';
import { Code, codeName } from './code.js';
import { Metadata } from './metadata.js';

/** One entry of google.rpc.Status.details: a google.protobuf.Any. */
export interface ErrorDetail {
  typeUrl: string;
  value: Uint8Array;
}

/** The one error type: a gRPC code, a message, metadata and error details. */
export class RpcError extends Error {
  override name = 'RpcError';
  readonly code: Code;
  /** The message as sent on the wire, without the code prefix that `message` carries. */
  readonly rawMessage: string;
  readonly metadata: Metadata;
  readonly details: ErrorDetail[];

  constructor(
    code: Code,
    message = '',
    options: { metadata?: Metadata; details?: ErrorDetail[]; cause?: unknown } = {},
  ) {
    super(message ? `[${codeName(code)}] ${message}` : `[${codeName(code)}]`, { cause: options.cause });
    this.code = code;
    this.rawMessage = message;
    this.metadata = options.metadata ?? new Metadata();
    this.details = options.details ?? [];
  }

  /** Turns anything thrown into an RpcError, mapping Node's network errors to gRPC codes. */
  static from(err: unknown, fallback: Code = Code.UNKNOWN): RpcError {
    if (err instanceof RpcError) return err;
    if (err instanceof Http2Error) {
      // A connection that failed is UNAVAILABLE; a stream reset maps by its code.
      const code = err.scope === 'connection' ? Code.UNAVAILABLE : codeFromRstCode(err.code);
      return new RpcError(code, err.message, { cause: err });
    }
    if (err instanceof Error) {
      if (err.name === 'AbortError')
        return new RpcError(Code.CANCELLED, err.message || 'call cancelled', { cause: err });
      const sysCode = (err as NodeJS.ErrnoException).code;
      const code = sysCode ? codeFromSystemError(sysCode) : undefined;
      return new RpcError(code ?? fallback, err.message, { cause: err });
    }
    return new RpcError(fallback, String(err));
  }
}

/** Node's errno and http2 error codes → gRPC codes (the "rpc boundary" mapping of DESIGN.md). */
export function codeFromSystemError(sysCode: string): Code | undefined {
  switch (sysCode) {
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EPIPE':
    case 'ETIMEDOUT':
    case 'ERR_HTTP2_GOAWAY_SESSION':
    case 'ERR_HTTP2_INVALID_SESSION':
    case 'ERR_HTTP2_SESSION_ERROR':
    case 'ERR_HTTP2_ERROR':
    case 'ERR_HTTP2_PING_CANCEL':
    case 'ERR_SOCKET_CLOSED':
    case 'ERR_STREAM_PREMATURE_CLOSE':
      return Code.UNAVAILABLE;
    case 'ERR_HTTP2_STREAM_CANCEL':
    case 'ABORT_ERR':
      return Code.CANCELLED;
    case 'ERR_HTTP2_STREAM_ERROR':
      return Code.INTERNAL;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'CERT_HAS_EXPIRED':
      return Code.UNAVAILABLE;
    default:
      return undefined;
  }
}

/** The http2 RST_STREAM code → gRPC code (gRPC: PROTOCOL-HTTP2, "Errors"). */
export function codeFromRstCode(rstCode: number): Code {
  switch (rstCode) {
    case 0x0: // NO_ERROR
    case 0x1: // PROTOCOL_ERROR
    case 0x2: // INTERNAL_ERROR
    case 0x3: // FLOW_CONTROL_ERROR
    case 0x4: // SETTINGS_TIMEOUT
    case 0x6: // FRAME_SIZE_ERROR
    case 0x9: // COMPRESSION_ERROR
    case 0xa: // CONNECT_ERROR
      return Code.INTERNAL;
    case 0x7: // REFUSED_STREAM
      return Code.UNAVAILABLE;
    case 0x8: // CANCEL
      return Code.CANCELLED;
    case 0xb: // ENHANCE_YOUR_CALM
      return Code.RESOURCE_EXHAUSTED;
    case 0xc: // INADEQUATE_SECURITY
      return Code.PERMISSION_DENIED;
    default:
      return Code.UNKNOWN;
  }
}

/** Encodes google.rpc.Status { code = 1; message = 2; details = 3 (Any: type_url = 1, value = 2) }. */
export function encodeStatusDetails(err: RpcError): Uint8Array {
  const w = new BinaryWriter();
  if (err.code !== 0) w.tag(1, 0).int32(err.code);
  if (err.rawMessage) w.tag(2, 2).string(err.rawMessage);
  for (const d of err.details) {
    w.tag(3, 2).fork().tag(1, 2).string(d.typeUrl).tag(2, 2).bytes(d.value).join();
  }
  return w.finish();
}

export function decodeStatusDetails(bytes: Uint8Array): {
  code: number;
  message: string;
  details: ErrorDetail[];
} {
  const r = new BinaryReader(bytes);
  const out = { code: 0, message: '', details: [] as ErrorDetail[] };
  while (r.pos < r.len) {
    const [field, wireType] = r.tag();
    if (field === 1 && wireType === 0) out.code = r.int32();
    else if (field === 2 && wireType === 2) out.message = r.string();
    else if (field === 3 && wireType === 2) {
      const any = new BinaryReader(r.bytes());
      const detail: ErrorDetail = { typeUrl: '', value: new Uint8Array(0) };
      while (any.pos < any.len) {
        const [f, wt] = any.tag();
        if (f === 1 && wt === 2) detail.typeUrl = any.string();
        else if (f === 2 && wt === 2) detail.value = any.bytes();
        else any.skip(wt);
      }
      out.details.push(detail);
    } else r.skip(wireType);
  }
  return out;
}

/** grpc-message is percent-encoded: printable ASCII except '%' passes, everything else is %XX of UTF-8. */
export function encodeGrpcMessage(message: string): string {
  let out = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    if (byte >= 0x20 && byte <= 0x7e && byte !== 0x25) out += String.fromCharCode(byte);
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function decodeGrpcMessage(value: string): string {
  if (!value.includes('%')) return value;
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x25 && i + 2 < value.length + 0 && /^[0-9a-fA-F]{2}$/.test(value.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(value[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}
