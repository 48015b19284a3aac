// The admin API's health and status endpoints (ADMIN-API.md, "Status and xDS clients").

import type { DirectoryLoadResult } from '../../config/config-dir.js';

/** `GET /healthz`: 200. */
export interface HealthAnswer {
  ok: true;
}

/** What the process serving the API adds to the status: where it listens and what it serves. */
export interface ServerStatus {
  xds?: { host: string; port: number };
  admin?: { host: string; port: number; scheme?: 'http' | 'https' };
  /** The first load of the config directory, when one is configured. */
  config?: DirectoryLoadResult;
  configDir?: string;
  /** Where the admin token, the CA and the tokens are kept. */
  dataDir?: string;
  /** The version of the snapshot being served. */
  snapshot?: string;
}

/** `GET /api/status`: 200. */
export interface StatusAnswer extends ServerStatus {
  configVersion: number;
  registryVersion: number;
  /** Config objects by kind. */
  objects: Record<string, number>;
  services: number;
  endpoints: number;
  /** Live ADS streams. */
  clients: number;
  /** Whether the control plane has a traffic source (GET /api/traffic). */
  traffic: 'on' | 'off';
  /** Who may do what: writes need the admin token; reads need it only from off the host. */
  auth: { writes: 'token'; reads: 'open on localhost' };
}
