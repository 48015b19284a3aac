// One way to talk to the admin API: JSON in and out, errors as ApiError with the answer's body
// (validation issues included), and the admin token on every write.

import { authHeaders, onUnauthorized } from './auth.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: Record<string, unknown>,
  ) {
    super(message);
  }
}

export interface RequestOptions {
  /** A JSON value, or text sent as it is (YAML). */
  body?: unknown;
  text?: string;
  query?: Record<string, string | undefined>;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const query = Object.entries(options.query ?? {}).filter(([, v]) => v !== undefined) as [string, string][];
  const url = query.length ? `${path}?${new URLSearchParams(query)}` : path;
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: string | undefined;
  if (options.text !== undefined) {
    body = options.text;
    headers['content-type'] = 'application/yaml';
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  if (method !== 'GET') Object.assign(headers, authHeaders());
  const res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
  const answer = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    if (res.status === 401 || res.status === 403) onUnauthorized(String(answer.error ?? res.statusText));
    throw new ApiError(res.status, String(answer.error ?? `${res.status} ${res.statusText}`), answer);
  }
  return answer as T;
}

export const get = <T>(path: string, query?: RequestOptions['query']) =>
  request<T>('GET', path, query ? { query } : {});
