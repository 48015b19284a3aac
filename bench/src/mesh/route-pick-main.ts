// Child-process entry: the per-call routing cost of the mesh client, alone. A real snapshot is
// taken from the running control plane (XdsClient → XdsDependencyManager → MeshConfig, the route
// table compiled as the mesh client compiles it), each cluster gets a ClusterBalancer with its
// xDS LB policy and EDS endpoints, and then one operation is what a call does before it reaches
// the wire: route match on path and headers → weighted cluster pick → endpoint pick (and done).
// Reports ns per operation (median of batches, after warm-up) and how picks fell per endpoint.
// Argument: JSON {target}; the bootstrap comes from GRPC_XDS_BOOTSTRAP_CONFIG.

import { performance } from 'node:perf_hooks';
import { parseMeshTarget } from '@shoal/mesh/client';
import {
  ClusterBalancer,
  createLbPolicyRegistry,
  type MeshConfig,
  XdsDependencyManager,
} from '@shoal/mesh/plugins';
import { Metadata } from '@shoal/rpc';
import { createXdsClient } from '@shoal/xds';
import { reply, runToEnd } from '../lib/child.js';
import { median } from '../lib/stats.js';

export interface RoutePickResult {
  nsPerOp: number;
  batches: number[];
  /** Share of picks per endpoint address, percent. */
  shares: Record<string, number>;
  routes: number;
}

const PATH = '/shoal.bench.v1.BenchService/Echo';
const WARMUP = 300_000;
const BATCH = 1_000_000;
const BATCHES = 7;

async function snapshot(target: string): Promise<MeshConfig> {
  const xds = createXdsClient();
  const t = parseMeshTarget(target, xds.bootstrap);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no complete config for ${target} in 10 s`)), 10_000);
    const manager = new XdsDependencyManager({
      source: xds,
      listenerName: t.listenerName,
      authority: t.authority,
      onUpdate: (u) => {
        if (u.kind !== 'config' || ![...u.config.clusters.values()].every((c) => c.status === 'ok')) return;
        clearTimeout(timer);
        manager.close();
        void xds.close();
        resolve(u.config);
      },
    });
  });
}

async function main({ target }: { target: string }): Promise<void> {
  const config = await snapshot(target);
  const table = config.routeTable;
  if (!table) throw new Error('the snapshot has no route table');
  const registry = createLbPolicyRegistry();
  const balancers = new Map<string, ClusterBalancer>();
  for (const [name, c] of config.clusters) {
    if (c.status !== 'ok') continue;
    const b = new ClusterBalancer({
      policy: registry.create(c.cluster.lbPolicy.kind, c.cluster.lbPolicy, name),
    });
    b.update(c.endpoints);
    balancers.set(name, b);
  }
  // What a call carries: gRPC's own headers and one of the application's.
  const header = new Metadata();
  header.set('user-agent', 'shoal-bench');
  header.set('x-request-id', '5f1c');
  const random = Math.random;
  const picks = new Map<string, number>();

  const run = (n: number, count: boolean): number => {
    let sink = 0;
    const started = performance.now();
    for (let i = 0; i < n; i++) {
      const entry = table.match(PATH, header, random);
      const weighted = entry?.pickCluster(random);
      const pick = weighted && balancers.get(weighted.name)?.pick();
      if (!pick) throw new Error(`no pick for ${PATH}`);
      pick.done?.();
      sink += pick.endpoint.port;
      if (count) picks.set(pick.endpoint.key, (picks.get(pick.endpoint.key) ?? 0) + 1);
    }
    const ns = ((performance.now() - started) * 1e6) / n;
    if (sink === 0) throw new Error('no endpoint picked');
    return ns;
  };

  run(WARMUP, true);
  const batches = Array.from({ length: BATCHES }, () => run(BATCH, false));
  const total = [...picks.values()].reduce((a, b) => a + b, 0);
  const shares = Object.fromEntries([...picks].map(([k, v]) => [k, (100 * v) / total]));
  const result: RoutePickResult = { nsPerOp: median(batches), batches, shares, routes: table.routes.length };
  await reply(result);
}

runToEnd(() => main(JSON.parse(process.argv[2] ?? '{}')));
