// The demo's control-plane replicas (`shoal demo --replicas N`): N `shoal cp` processes on one
// shared store, on consecutive ports from --xds-port and --admin-port (or each on free ports it
// picks, when they are 0), each loading the demo's
// config directory. Their PIDs are in the table, so a user can kill one and watch its clients move
// to another (they list every replica in their bootstrap, gRFC A71 with A95's reachability-only fallback).

import { fileURLToPath } from 'node:url';
import type { ProcessGroup, RunningChild } from './process-group.js';

export interface ReplicaSpec {
  count: number;
  store: string;
  /** Shared by the replicas (their admin token; the CA and tokens themselves are in the store). */
  dataDir: string;
  xdsPort: number;
  adminPort: number;
  configDir: string;
}

export interface DemoReplica {
  name: string;
  xds: string;
  admin: string;
  child: RunningChild;
  state: string;
}

const shoalBin = fileURLToPath(new URL('../../bin/shoal.js', import.meta.url));

/** Starts the replicas and resolves once each listens. */
export async function startReplicas(group: ProcessGroup, spec: ReplicaSpec): Promise<DemoReplica[]> {
  const replicas: DemoReplica[] = [];
  for (let i = 0; i < spec.count; i++) {
    const at = (base: number) => (base === 0 ? 0 : base + i);
    const name = `cp-${i + 1}`;
    const child = group.start({
      name,
      args: [
        shoalBin,
        'cp',
        '--store',
        spec.store,
        '--xds-port',
        String(at(spec.xdsPort)),
        '--admin-port',
        String(at(spec.adminPort)),
        '--config',
        spec.configDir,
        '--data-dir',
        spec.dataDir,
        '--log-level',
        'warn',
      ],
      // `shoal cp`'s line says where it listens (the ports it picked, with port 0).
      readyPattern: /xDS \(ADS\) on (\S+), admin API on http:\/\/(\S+)/,
    });
    const replica: DemoReplica = {
      name,
      xds: `127.0.0.1:${at(spec.xdsPort)}`,
      admin: `127.0.0.1:${at(spec.adminPort)}`,
      child,
      state: 'starting',
    };
    child.process.once('exit', (code, signal) => {
      replica.state = `exited (${signal ?? code})`;
    });
    void child.ready.then((m) => {
      replica.xds = m[1] ?? replica.xds;
      replica.admin = m[2] ?? replica.admin;
      replica.state = 'serving';
    });
    replicas.push(replica);
  }
  await Promise.all(replicas.map((r) => r.child.ready));
  return replicas;
}

/** The store's config version, from the first replica that answers. */
export async function replicaConfigVersion(replicas: readonly DemoReplica[]): Promise<string> {
  for (const r of replicas) {
    if (r.state !== 'serving') continue;
    try {
      const res = await fetch(`http://${r.admin}/api/status`, { signal: AbortSignal.timeout(500) });
      const status = (await res.json()) as { configVersion?: number };
      return `store ${status.configVersion} (from ${r.name})`;
    } catch {
      // try the next replica
    }
  }
  return 'store unreachable';
}

/** A call to a replica's admin API (`127.0.0.1:PORT`) with the admin token; fails on an error status. */
export function replicaAdmin(
  admin: string,
  adminToken: string,
): (method: string, path: string, body?: string | object) => Promise<Response> {
  return async (method, path, body) => {
    const res = await fetch(`http://${admin}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${adminToken}`,
        'content-type': typeof body === 'string' ? 'application/yaml' : 'application/json',
      },
      ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${method} http://${admin}${path}: ${res.status} ${await res.text()}`);
    return res;
  };
}
