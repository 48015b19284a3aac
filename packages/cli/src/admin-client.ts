// Talks to the control plane's admin API (JSON over HTTP or HTTPS,
// packages/control-plane/ADMIN-API.md), with the admin token when one can be found:
// SHOAL_ADMIN_TOKEN, else `admin-token` in --data-dir / SHOAL_DATA_DIR, else in ./.shoal.
// The answer types come from the control plane (@shoal/control-plane/admin-api).

import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import type { ErrorAnswer } from '@shoal/control-plane/admin-api';
import { ADMIN_TOKEN_FILE, resolveDataDir } from '@shoal/control-plane/data-dir';
import type { Command } from 'commander';
import { CliError, ExitCode } from './cli-error.js';

export const defaultAdminAddress = process.env.SHOAL_ADMIN ?? '127.0.0.1:15000';

/** A 2xx answer with its body, or a 4xx/5xx with the error body. */
export type AdminResponse<T, E extends ErrorAnswer = ErrorAnswer> =
  | { ok: true; status: number; body: T }
  | { ok: false; status: number; body: E };

export interface AdminClientOptions {
  /** `host:port`, `http://host:port` or `https://host:port`. */
  address?: string;
  /** The bearer token; default: found as the CLI reference says. */
  token?: string;
  /** The data dir to read `admin-token` from (the --data-dir flag). */
  dataDir?: string;
  /** A CA bundle (PEM file) that verifies an HTTPS admin API; default SHOAL_ADMIN_CA. */
  caFile?: string;
  env?: Readonly<Record<string, string | undefined>>;
}

/** The admin token, or undefined with where it was looked for. */
export function findAdminToken(
  dataDir: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): { token?: string; lookedIn: string } {
  if (env.SHOAL_ADMIN_TOKEN) return { token: env.SHOAL_ADMIN_TOKEN.trim(), lookedIn: 'SHOAL_ADMIN_TOKEN' };
  const file = join(resolveDataDir(dataDir, env), ADMIN_TOKEN_FILE);
  try {
    const token = readFileSync(file, 'utf8').trim();
    return token ? { token, lookedIn: file } : { lookedIn: file };
  } catch {
    return { lookedIn: file };
  }
}

export class AdminClient {
  readonly address: string;
  readonly #url: URL;
  readonly #token: string | undefined;
  readonly #tokenSource: string;
  readonly #ca: Buffer | undefined;

  constructor(options: AdminClientOptions | string = {}) {
    const o = typeof options === 'string' ? { address: options } : options;
    const env = o.env ?? process.env;
    this.address = o.address ?? defaultAdminAddress;
    this.#url = new URL(/^https?:\/\//.test(this.address) ? this.address : `http://${this.address}`);
    const found =
      o.token !== undefined ? { token: o.token, lookedIn: 'the caller' } : findAdminToken(o.dataDir, env);
    this.#token = found.token;
    this.#tokenSource = found.lookedIn;
    const caFile = o.caFile ?? env.SHOAL_ADMIN_CA;
    if (caFile) {
      try {
        this.#ca = readFileSync(caFile);
      } catch (err) {
        throw new CliError(
          `cannot read the admin API's CA file ${caFile}: ${(err as Error).message}`,
          ExitCode.usage,
        );
      }
    }
  }

  request<T, E extends ErrorAnswer = ErrorAnswer>(
    method: string,
    path: string,
    body?: string,
  ): Promise<AdminResponse<T, E>> {
    const url = new URL(path, this.#url);
    const secure = url.protocol === 'https:';
    const headers: Record<string, string> = {};
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    if (body !== undefined) {
      headers['content-type'] = 'application/yaml';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const options = { method, headers, timeout: 15_000, ...(secure && this.#ca && { ca: this.#ca }) };
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            const status = res.statusCode ?? 0;
            const parsed: unknown = JSON.parse(text);
            if (status === 401) reject(this.#unauthorized(parsed as { error?: string }));
            else
              resolve(
                status < 400
                  ? { ok: true, status, body: parsed as T }
                  : { ok: false, status, body: parsed as E },
              );
          } catch {
            reject(
              new CliError(
                `the admin API at ${this.address} answered ${res.statusCode} with non-JSON: ${text.slice(0, 200)}`,
              ),
            );
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error('timed out after 15 s')));
      req.on('error', (err: NodeJS.ErrnoException) =>
        reject(
          new CliError(
            `cannot reach the control plane's admin API at ${this.address} (${err.code ?? err.message})`,
            ExitCode.failure,
            'is `shoal cp` (or `shoal demo`) running? pass --admin HOST:PORT otherwise',
          ),
        ),
      );
      req.end(body);
    });
  }

  /** GET/POST/DELETE that must succeed; a 4xx/5xx becomes a CliError with the server's message. */
  async ok<T>(method: string, path: string, body?: string): Promise<T> {
    const res = await this.request<T>(method, path, body);
    if (!res.ok) throw new CliError(res.body.error ?? `admin API answered ${res.status}`);
    return res.body;
  }

  #unauthorized(body: { error?: string }): CliError {
    return new CliError(
      `the admin API refused: ${body.error ?? 'unauthorized'}`,
      ExitCode.failure,
      this.#token
        ? `the token from ${this.#tokenSource} is not this control plane's; point --data-dir or SHOAL_DATA_DIR at its data dir, or set SHOAL_ADMIN_TOKEN`
        : `no admin token found (looked in ${this.#tokenSource}); set SHOAL_ADMIN_TOKEN, or --data-dir / SHOAL_DATA_DIR to the control plane's data dir`,
    );
  }
}

/** The flags every admin API verb takes: --admin and --data-dir. */
export function withAdminOptions(command: Command): Command {
  return command
    .option(
      '--admin <address>',
      'control plane admin API (host:port, or https://host:port)',
      defaultAdminAddress,
    )
    .option('--data-dir <dir>', 'where the admin token is (default $SHOAL_DATA_DIR or ./.shoal)');
}

/** The client for a verb's --admin and --data-dir flags. */
export function adminClientFor(flags: { admin?: string; dataDir?: string }): AdminClient {
  return new AdminClient({
    ...(flags.admin !== undefined && { address: flags.admin }),
    ...(flags.dataDir !== undefined && { dataDir: flags.dataDir }),
  });
}
