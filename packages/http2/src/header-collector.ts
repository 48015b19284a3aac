// Builds the header object of one received header block and checks it is well-formed HTTP/2
// (RFC 9113 §8.1.1, §8.2, §8.3): valid names and values, pseudo-headers only before regular
// fields, each once, only those of a request (§8.3.1) or a response (§8.3.2) and none in
// trailers, the required ones present, no connection-specific fields, `te` only "trailers".
// A malformed block is a stream error PROTOCOL_ERROR, not a connection error: the block is
// always decoded to its end first (HPACK state), and the first problem found is kept.

import { CONNECTION_SPECIFIC, isValidName, isValidValue } from './field-rules.js';
import type { HeaderSink } from './hpack/hpack-decoder.js';

/** Received headers: one string per field, an array when a name came more than once. */
export type IncomingHeaders = Record<string, string | string[]>;

export const BlockKind = { REQUEST: 0, RESPONSE: 1, TRAILERS: 2 } as const;
export type BlockKind = (typeof BlockKind)[keyof typeof BlockKind];

const EMPTY: IncomingHeaders = Object.freeze({}) as IncomingHeaders;

const REQUEST_PSEUDO: Record<string, number> = { ':method': 1, ':scheme': 2, ':authority': 4, ':path': 8 };

export class HeaderCollector implements HeaderSink {
  headers: IncomingHeaders = {};
  kind: BlockKind = BlockKind.REQUEST;
  /** The first reason the block is malformed, if any. */
  malformed: string | undefined;
  /** content-length, when sent (-1 when absent). */
  contentLength = -1;
  private pseudoSeen = 0;
  private regularSeen = false;
  private status = '';
  private method = '';

  /** Drops the last block's headers (handed out; the collector need not keep them alive). */
  release(): void {
    this.headers = EMPTY;
  }

  reset(kind: BlockKind): void {
    this.headers = {};
    this.kind = kind;
    this.malformed = undefined;
    this.contentLength = -1;
    this.pseudoSeen = 0;
    this.regularSeen = false;
    this.status = '';
    this.method = '';
  }

  field(name: string, value: string, literal: boolean): void {
    if (this.malformed !== undefined) return;
    if (name.charCodeAt(0) === 0x3a) {
      this.pseudo(name, value, literal);
      return;
    }
    this.regularSeen = true;
    if (literal) {
      if (!isValidName(name)) {
        this.fail(`invalid field name "${printable(name)}"`);
        return;
      }
      if (!isValidValue(value)) {
        this.fail(`invalid value for field "${name}"`);
        return;
      }
    }
    if (CONNECTION_SPECIFIC.has(name)) {
      this.fail(`connection-specific field "${name}"`);
      return;
    }
    if (name === 'te' && value !== 'trailers') {
      this.fail(`te: "${value}" (only "trailers" is allowed)`);
      return;
    }
    if (name === 'content-length') {
      if (!/^\d{1,15}$/.test(value) || (this.contentLength >= 0 && Number(value) !== this.contentLength)) {
        this.fail(`content-length: "${value}"`);
        return;
      }
      this.contentLength = Number(value);
    }
    const headers = this.headers;
    const previous = headers[name];
    if (previous === undefined) {
      if (name === '__proto__')
        Object.defineProperty(headers, name, { value, enumerable: true, writable: true });
      else headers[name] = value;
    } else if (name === 'cookie')
      headers[name] = `${previous}; ${value}`; // §8.2.3
    else if (typeof previous === 'string') headers[name] = [previous, value];
    else previous.push(value);
  }

  /** Checks what only the whole block can show; returns the reason it is malformed, if any. */
  finish(): string | undefined {
    if (this.malformed !== undefined) return this.malformed;
    const seen = this.pseudoSeen;
    if (this.kind === BlockKind.REQUEST) {
      if (!(seen & 1)) this.fail('request without :method');
      else if (this.method === 'CONNECT') {
        if (!(seen & 4) || seen & 10) this.fail('CONNECT needs :authority and no :scheme or :path');
      } else if ((seen & 10) !== 10) this.fail('request without :scheme or :path');
    } else if (this.kind === BlockKind.RESPONSE) {
      if (!/^[1-9]\d\d$/.test(this.status)) this.fail(`response :status "${this.status}"`);
    }
    return this.malformed;
  }

  /** The response's status code (RESPONSE blocks). */
  get statusCode(): number {
    return Number(this.status);
  }

  private pseudo(name: string, value: string, literal: boolean): void {
    if (this.regularSeen) {
      this.fail(`pseudo-header ${name} after a regular field`);
      return;
    }
    if (literal && !isValidValue(value)) {
      this.fail(`invalid value for ${name}`);
      return;
    }
    if (this.kind === BlockKind.REQUEST) {
      const bit = REQUEST_PSEUDO[name];
      if (bit === undefined) {
        this.fail(`pseudo-header ${printable(name)} in a request`);
        return;
      }
      if (this.pseudoSeen & bit) {
        this.fail(`${name} twice`);
        return;
      }
      if (value === '' && (bit === 1 || bit === 2 || bit === 8)) {
        this.fail(`empty ${name}`);
        return;
      }
      this.pseudoSeen |= bit;
      if (bit === 1) this.method = value;
    } else if (this.kind === BlockKind.RESPONSE) {
      if (name !== ':status') {
        this.fail(`pseudo-header ${printable(name)} in a response`);
        return;
      }
      if (this.pseudoSeen) {
        this.fail(':status twice');
        return;
      }
      this.pseudoSeen = 1;
      this.status = value;
    } else {
      this.fail(`pseudo-header ${printable(name)} in trailers`);
      return;
    }
    this.headers[name] = value;
  }

  private fail(reason: string): void {
    this.malformed = reason;
  }
}

/** A name as it can be shown in an error: control and non-ASCII chars escaped. */
function printable(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}
