// What one connection may cost us, and how long a peer may take: the settings we announce
// (RFC 9113 §6.5.2), the connection window, and the defences of a server on the network
// (RFC 9113 §10.5: header blocks, floods, slow peers).

import { defaultFloodLimits, type FloodLimits } from './flood-guard.js';
import type { Settings } from './settings.js';

/** The SETTINGS we announce. */
export interface LocalSettings {
  /** SETTINGS_HEADER_TABLE_SIZE: the HPACK table the peer's encoder may use. Default 4096. */
  headerTableSize: number;
  /** SETTINGS_MAX_CONCURRENT_STREAMS: streams the peer may open at once. Default 100. */
  maxConcurrentStreams: number;
  /**
   * SETTINGS_INITIAL_WINDOW_SIZE: what the peer may send on a stream before we read it; also the
   * most a paused stream holds. Default 256 KiB.
   */
  initialWindowSize: number;
  /** SETTINGS_MAX_FRAME_SIZE: the largest frame payload we accept. Default 16,384. */
  maxFrameSize: number;
  /**
   * SETTINGS_MAX_HEADER_LIST_SIZE: the largest header list we accept, enforced while decoding
   * (HPACK bombs). Default 16 KiB.
   */
  maxHeaderListSize: number;
}

export interface ConnectionLimits {
  /** The connection-level receive window (RFC 9113 §6.9.2 starts it at 65,535). Default 1 MiB. */
  connectionWindowSize: number;
  /** The peer's preface and first SETTINGS must arrive within this. Default 10 s. */
  handshakeTimeoutMs: number;
  /** Our SETTINGS must be acknowledged within this, or SETTINGS_TIMEOUT (§6.5.3). Default 10 s. */
  settingsAckTimeoutMs: number;
  /** A frame or header block once started must be complete within this (slowloris). Default 30 s. */
  frameTimeoutMs: number;
  /** Output the peer does not read for this long closes the connection (slow read). Default 30 s. */
  sendStallTimeoutMs: number;
  /** A connection without streams for this long is closed with GOAWAY; 0: never. Default 0. */
  idleTimeoutMs: number;
  /** CONTINUATION frames allowed in one header block (CVE-2024-27316). Default 32. */
  maxContinuations: number;
  /** Bytes of one header block on the wire; more ends the connection. Default max(64 KiB, 4 × maxHeaderListSize). */
  maxHeaderBlockBytes: number;
  /** Output queued while the peer does not read, past which answering its frames ends the connection. Default 1 MiB. */
  maxOutboundBytes: number;
  /** Rate limits of frames that cost work but carry no request. */
  flood: FloodLimits;
}

/** Our SETTINGS, as every connection of one server or client shares them (frozen). */
export function localSettings(given: Partial<LocalSettings> | undefined): Readonly<Settings> {
  return Object.freeze({
    headerTableSize: given?.headerTableSize ?? 4096,
    enablePush: false,
    maxConcurrentStreams: given?.maxConcurrentStreams ?? 100,
    initialWindowSize: given?.initialWindowSize ?? 256 * 1024,
    maxFrameSize: given?.maxFrameSize ?? 16_384,
    maxHeaderListSize: given?.maxHeaderListSize ?? 16 * 1024,
  });
}

export function connectionLimits(
  given: Partial<ConnectionLimits> | undefined,
  settings: LocalSettings,
): ConnectionLimits {
  return {
    connectionWindowSize: given?.connectionWindowSize ?? 1024 * 1024,
    handshakeTimeoutMs: given?.handshakeTimeoutMs ?? 10_000,
    settingsAckTimeoutMs: given?.settingsAckTimeoutMs ?? 10_000,
    frameTimeoutMs: given?.frameTimeoutMs ?? 30_000,
    sendStallTimeoutMs: given?.sendStallTimeoutMs ?? 30_000,
    idleTimeoutMs: given?.idleTimeoutMs ?? 0,
    maxContinuations: given?.maxContinuations ?? 32,
    maxHeaderBlockBytes: given?.maxHeaderBlockBytes ?? Math.max(64 * 1024, 4 * settings.maxHeaderListSize),
    maxOutboundBytes: given?.maxOutboundBytes ?? 1024 * 1024,
    flood: { ...defaultFloodLimits, ...given?.flood },
  };
}
