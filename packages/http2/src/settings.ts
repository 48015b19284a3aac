// SETTINGS parameters, RFC 9113 §6.5: their initial values, what each side announces, and the
// checks on what the peer sends (§6.5.2: ENABLE_PUSH 0 or 1 and never 1 from a server,
// INITIAL_WINDOW_SIZE at most 2^31 - 1, MAX_FRAME_SIZE within 2^14..2^24 - 1). Unknown
// parameters are ignored (§6.5.2).

import { connectionError } from './http2-error.js';
import {
  DEFAULT_WINDOW,
  ErrorCode,
  MAX_MAX_FRAME_SIZE,
  MAX_WINDOW,
  MIN_MAX_FRAME_SIZE,
  SettingId,
} from './protocol.js';
import type { WriteBuffer } from './write-buffer.js';

export interface Settings {
  headerTableSize: number;
  enablePush: boolean;
  /** Infinity when not announced (the RFC sets no initial limit). */
  maxConcurrentStreams: number;
  initialWindowSize: number;
  maxFrameSize: number;
  /** Infinity when not announced. */
  maxHeaderListSize: number;
}

/** The values in force before a SETTINGS frame says otherwise (§6.5.2). */
export function initialSettings(): Settings {
  return {
    headerTableSize: 4096,
    enablePush: true,
    maxConcurrentStreams: Number.POSITIVE_INFINITY,
    initialWindowSize: DEFAULT_WINDOW,
    maxFrameSize: MIN_MAX_FRAME_SIZE,
    maxHeaderListSize: Number.POSITIVE_INFINITY,
  };
}

/** Writes a SETTINGS frame announcing every value of `settings` that differs from the initial one. */
export function writeSettings(out: WriteBuffer, settings: Settings, isClient: boolean): void {
  const initial = initialSettings();
  const pairs: [number, number][] = [];
  if (settings.headerTableSize !== initial.headerTableSize)
    pairs.push([SettingId.HEADER_TABLE_SIZE, settings.headerTableSize]);
  // A client refuses push (§8.4); a server may not announce 1 and has nothing to say.
  if (isClient) pairs.push([SettingId.ENABLE_PUSH, 0]);
  if (Number.isFinite(settings.maxConcurrentStreams))
    pairs.push([SettingId.MAX_CONCURRENT_STREAMS, settings.maxConcurrentStreams]);
  if (settings.initialWindowSize !== initial.initialWindowSize)
    pairs.push([SettingId.INITIAL_WINDOW_SIZE, settings.initialWindowSize]);
  if (settings.maxFrameSize !== initial.maxFrameSize)
    pairs.push([SettingId.MAX_FRAME_SIZE, settings.maxFrameSize]);
  if (Number.isFinite(settings.maxHeaderListSize))
    pairs.push([SettingId.MAX_HEADER_LIST_SIZE, settings.maxHeaderListSize]);
  out.frameHeader(pairs.length * 6, 0x4, 0, 0);
  for (const [id, value] of pairs) {
    const buf = out.ensure(6);
    buf.writeUInt16BE(id, out.pos);
    buf.writeUInt32BE(value, out.pos + 2);
    out.pos += 6;
    out.length += 6;
  }
}

/**
 * Applies a SETTINGS payload to `into` (the peer's settings). Returns the previous
 * INITIAL_WINDOW_SIZE when it changed (streams' send windows move by the difference, §6.9.2).
 * Throws the connection error a bad value is (§6.5.2).
 */
export function applySettings(
  into: Settings,
  buf: Buffer,
  start: number,
  length: number,
  fromServer: boolean,
): number | undefined {
  let previousWindow: number | undefined;
  for (let at = start; at < start + length; at += 6) {
    const id = buf.readUInt16BE(at);
    const value = buf.readUInt32BE(at + 2);
    switch (id) {
      case SettingId.HEADER_TABLE_SIZE:
        into.headerTableSize = value;
        break;
      case SettingId.ENABLE_PUSH:
        if (value > 1) throw connectionError(ErrorCode.PROTOCOL_ERROR, `SETTINGS_ENABLE_PUSH of ${value}`);
        if (value === 1 && fromServer) {
          throw connectionError(ErrorCode.PROTOCOL_ERROR, 'a server sent SETTINGS_ENABLE_PUSH of 1');
        }
        into.enablePush = value === 1;
        break;
      case SettingId.MAX_CONCURRENT_STREAMS:
        into.maxConcurrentStreams = value;
        break;
      case SettingId.INITIAL_WINDOW_SIZE:
        if (value > MAX_WINDOW) {
          throw connectionError(ErrorCode.FLOW_CONTROL_ERROR, `SETTINGS_INITIAL_WINDOW_SIZE of ${value}`);
        }
        previousWindow ??= into.initialWindowSize;
        into.initialWindowSize = value;
        break;
      case SettingId.MAX_FRAME_SIZE:
        if (value < MIN_MAX_FRAME_SIZE || value > MAX_MAX_FRAME_SIZE) {
          throw connectionError(ErrorCode.PROTOCOL_ERROR, `SETTINGS_MAX_FRAME_SIZE of ${value}`);
        }
        into.maxFrameSize = value;
        break;
      case SettingId.MAX_HEADER_LIST_SIZE:
        into.maxHeaderListSize = value;
        break;
      default:
        break; // §6.5.2: unknown settings are ignored
    }
  }
  return previousWindow !== undefined && previousWindow !== into.initialWindowSize
    ? previousWindow
    : undefined;
}
