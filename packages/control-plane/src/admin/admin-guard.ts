// Who may use the admin API, checked once for every request before any endpoint runs, so every
// write endpoint (present and future) is covered:
// - Host must name this admin API (DNS rebinding: a hostile name resolved to 127.0.0.1);
// - Origin, when a browser sends one, must be this admin API (CSRF from another web page);
// - a request body must be JSON or YAML by its content type (text/plain and forms are what a
//   page can send cross-site without a preflight);
// - every method but GET/HEAD/OPTIONS needs `Authorization: Bearer <admin token>`, and so does a
//   read from a peer that is not on this machine's loopback.
// OWASP: CSRF prevention (verifying origin with standard headers), DNS rebinding (Host checks).

import { timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { HttpError } from './http-json.js';

const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);
const BODY_TYPES: ReadonlySet<string> = new Set([
  'application/json',
  'application/yaml',
  'application/x-yaml',
  'text/yaml',
  'text/x-yaml',
]);

export interface AdminGuardOptions {
  /** The bearer token writes need. */
  readonly token: string;
  /** Extra names the admin API is reached by (a DNS name in front of a non-loopback bind). */
  readonly hostNames?: readonly string[];
}

export class AdminGuard {
  readonly #token: Buffer;
  readonly #hostNames: readonly string[];
  /** `host:port` authorities accepted in Host and Origin, lower case; set once listening. */
  #authorities: ReadonlySet<string> = new Set();

  constructor(options: AdminGuardOptions) {
    this.#token = Buffer.from(options.token);
    this.#hostNames = options.hostNames ?? [];
  }

  /** Called once the server is bound: the names and addresses this admin API answers to. */
  bound(host: string, port: number): void {
    const names = new Set<string>(this.#hostNames.map((n) => n.toLowerCase()));
    const wildcard = host === '0.0.0.0' || host === '::';
    if (wildcard || isLoopback(host)) for (const n of ['localhost', '127.0.0.1', '::1']) names.add(n);
    if (wildcard) {
      for (const list of Object.values(networkInterfaces()))
        for (const a of list ?? []) names.add(a.address.toLowerCase());
    } else names.add(host.toLowerCase());
    this.#authorities = new Set([...names].map((n) => `${isIP(n) === 6 ? `[${n}]` : n}:${port}`));
  }

  /** Throws the HttpError to answer with when the request may not go on. */
  check(req: http.IncomingMessage): void {
    const host = (req.headers.host ?? '').toLowerCase();
    if (!this.#authorities.has(host))
      throw new HttpError(
        403,
        `Host ${JSON.stringify(req.headers.host ?? '')} is not this admin API (expected one of ${[...this.#authorities].join(', ')})`,
      );
    const origin = req.headers.origin;
    if (origin !== undefined && !this.#sameOrigin(origin))
      throw new HttpError(
        403,
        `cross-origin request refused: Origin ${JSON.stringify(origin)} is not this admin API`,
      );
    const method = req.method ?? 'GET';
    const write = !READ_METHODS.has(method);
    if (write || !isLoopback(req.socket.remoteAddress ?? '')) this.#authorize(req, write);
    if (hasBody(req)) {
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (!BODY_TYPES.has(type))
        throw new HttpError(
          415,
          `content-type ${JSON.stringify(type || '(none)')} is not accepted: send application/json or application/yaml`,
        );
    }
  }

  #sameOrigin(origin: string): boolean {
    try {
      const url = new URL(origin);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
      return this.#authorities.has(url.host.toLowerCase());
    } catch {
      return false; // `null` (sandboxed frames, file:) and anything unparsable
    }
  }

  #authorize(req: http.IncomingMessage, write: boolean): void {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const given = match ? Buffer.from(match[1]!) : undefined;
    if (given && given.length === this.#token.length && timingSafeEqual(given, this.#token)) return;
    const what = write ? 'writes need' : 'reads from another machine need';
    throw new HttpError(
      401,
      given
        ? `the admin token is wrong (${what} the token in <data-dir>/admin-token)`
        : `${what} the admin token: send "Authorization: Bearer <token>" (the token is in <data-dir>/admin-token)`,
      undefined,
      { 'www-authenticate': 'Bearer realm="shoal-admin"' },
    );
  }
}

function hasBody(req: http.IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopback(address: string): boolean {
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || a === 'localhost' || (isIP(a) === 4 && a.startsWith('127.'));
}
