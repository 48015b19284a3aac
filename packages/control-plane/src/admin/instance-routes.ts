// The admin API's instance endpoints: list every endpoint with the health clients are sent, and
// take an instance out of service by hand or put it back (`shoal instance`). Writes are POSTs
// through the same handler as the config writes.

import type http from 'node:http';
import { Code, RpcError } from '@shoal/rpc';
import { parseDurationNanos } from '../config/durations.js';
import { type InstanceHealth, parseInstanceAddress } from '../registry/instance-health.js';
import type { Registry, RegistryEndpoint } from '../registry/registry-types.js';
import type { DisableRequest, InstanceChange, InstanceList, InstanceView } from './api/instances.js';
import { HttpError, readBody, sendJson } from './http-json.js';

export interface InstanceRoutes {
  registry: Registry;
  instances: InstanceHealth;
}

const address = (e: RegistryEndpoint) =>
  e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;

function view(e: RegistryEndpoint, instances: InstanceHealth): InstanceView {
  const disabled = instances.disabledFor(e);
  return {
    service: e.hostname,
    servicePort: e.servicePort,
    address: address(e),
    health: e.health,
    labels: e.labels,
    ...(e.locality ? { locality: e.locality } : {}),
    weight: e.weight,
    interfaces: e.interfaces,
    origin: e.origin,
    ...(disabled ? { disabled } : {}),
  };
}

/** `/api/instances`, `/api/instances/disable`, `/api/instances/enable`. */
export async function handleInstances(
  method: string,
  action: string | undefined,
  url: URL,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  { registry, instances }: InstanceRoutes,
): Promise<void> {
  if (method === 'GET' && action === undefined) {
    const service = url.searchParams.get('service')?.toLowerCase();
    const items = registry
      .endpoints()
      .filter((e) => !service || e.hostname === service || e.hostname.startsWith(`${service}.`))
      .map((e) => view(e, instances))
      .sort((a, b) => (a.service + a.address < b.service + b.address ? -1 : 1));
    const body: InstanceList = { items, disabled: instances.disabled() };
    return sendJson(res, 200, body);
  }
  if (method === 'POST' && (action === 'disable' || action === 'enable')) {
    const request = parseRequest(await readBody(req));
    try {
      const change: InstanceChange =
        action === 'disable'
          ? { disabled: instances.disable(request.address, disableOptions(request)), instances: [] }
          : { enabled: instances.enable(request.address), instances: [] };
      const { ip, port } = parseInstanceAddress(request.address);
      change.instances = registry
        .endpoints()
        .filter((e) => e.address === ip && (port === undefined || e.port === port))
        .map((e) => view(e, instances));
      return sendJson(res, 200, change);
    } catch (err) {
      if (err instanceof RpcError) {
        const status = err.code === Code.NOT_FOUND ? 404 : err.code === Code.FAILED_PRECONDITION ? 409 : 400;
        throw new HttpError(status, err.rawMessage);
      }
      throw err;
    }
  }
  throw new HttpError(404, `no such endpoint: ${method} ${url.pathname}`);
}

function parseRequest(text: string): DisableRequest {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'the body must be JSON: {"address": "IP:PORT", "for": "10m", "reason": "…"}');
  }
  const r = body as Partial<DisableRequest> | null;
  if (typeof r?.address !== 'string' || r.address === '') throw new HttpError(400, 'address: Required value');
  for (const key of ['for', 'reason'] as const) {
    if (r[key] !== undefined && typeof r[key] !== 'string')
      throw new HttpError(400, `${key}: must be a string`);
  }
  return r as DisableRequest;
}

function disableOptions(r: DisableRequest): { forMs?: number; reason?: string } {
  let forMs: number | undefined;
  if (r.for !== undefined) {
    const nanos = parseDurationNanos(r.for);
    if (typeof nanos === 'string') throw new HttpError(400, `for: ${nanos}`);
    if (nanos <= 0) throw new HttpError(400, `for: ${JSON.stringify(r.for)} must be longer than zero`);
    forMs = nanos / 1e6;
  }
  return { ...(forMs !== undefined ? { forMs } : {}), ...(r.reason ? { reason: r.reason } : {}) };
}
