// Talks to the control plane's admin API (JSON over HTTP, packages/control-plane/ADMIN-API.md),
// whose answer types come from the control plane (@shoal/control-plane/admin-api).

import type { ErrorAnswer } from '@shoal/control-plane/admin-api';
import { CliError } from './cli-error.js';

export const defaultAdminAddress = process.env.SHOAL_ADMIN ?? '127.0.0.1:15000';

/** A 2xx answer with its body, or a 4xx/5xx with the error body. */
export type AdminResponse<T, E extends ErrorAnswer = ErrorAnswer> =
  | { ok: true; status: number; body: T }
  | { ok: false; status: number; body: E };

export class AdminClient {
  constructor(readonly address: string = defaultAdminAddress) {}

  async request<T, E extends ErrorAnswer = ErrorAnswer>(
    method: string,
    path: string,
    body?: string,
  ): Promise<AdminResponse<T, E>> {
    const url = `http://${this.address}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        body,
        headers: body === undefined ? {} : { 'content-type': 'application/yaml' },
        signal: AbortSignal.timeout(15_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new CliError(
        `cannot reach the control plane's admin API at ${this.address} (${cause})`,
        1,
        'is `shoal cp` (or `shoal demo`) running? pass --admin HOST:PORT otherwise',
      );
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new CliError(
        `the admin API at ${this.address} answered ${res.status} with non-JSON: ${text.slice(0, 200)}`,
      );
    }
    return res.status < 400
      ? { ok: true, status: res.status, body: parsed as T }
      : { ok: false, status: res.status, body: parsed as E };
  }

  /** GET/POST/DELETE that must succeed; a 4xx/5xx becomes a CliError with the server's message. */
  async ok<T>(method: string, path: string, body?: string): Promise<T> {
    const res = await this.request<T>(method, path, body);
    if (!res.ok) throw new CliError(res.body.error ?? `admin API answered ${res.status}`);
    return res.body;
  }
}
