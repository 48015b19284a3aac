// Shared by the ADS server specs: the Bookinfo mesh with a reviews VirtualService at given
// weights and their snapshots, reading those weights back from a pushed route, and an AdsServer
// served on loopback.

import { after, before } from 'node:test';
import { fromBinary } from '@bufbuild/protobuf';
import { Server } from '@shoal/rpc';
import { envoy } from '@shoal/xds';
import { Snapshot } from '../src/snapshot/snapshot.js';
import type { MeshInput } from '../src/translate/mesh-input.js';
import { Translator } from '../src/translate/translator.js';
import type { AdsServer } from '../src/xds-server/ads-server.js';
import { type AdsClient, adsClient } from './ads-test-client.js';
import { bookinfoInput, reviewsSplit } from './bookinfo-fixture.js';

const DR = 'samples-bookinfo-networking-destination-rule-all.yaml';

export const node = {
  id: 'sidecar~10.1.0.1~client.default~default.svc.cluster.local',
  // As Istio's grpc-agent writes it: the gRPC generator, so the node is a proxyless client.
  metadata: { NAMESPACE: 'default', GENERATOR: 'grpc' },
};

/** The snapshot of one mesh input, as ControlPlane builds it. */
export function snapshotOf(input: MeshInput): Snapshot {
  return new Snapshot(new Translator(input));
}

/** Mesh inputs with the reviews split at v1/v2; each gets a new input version. */
export function weightedInputs(): (v1: number, v2: number) => MeshInput {
  let version = 1;
  return (v1, v2) => {
    const input = bookinfoInput([DR], { version: String(++version) });
    const vs = reviewsSplit({ v1, v2 });
    return { ...input, virtualServices: [vs] };
  };
}

/** The weights of the first route of a pushed RouteConfiguration (SotW response or delta resource). */
export function weights(res: envoy.DiscoveryResponse | envoy.Resource['resource']): number[] {
  const any = res && 'resources' in res ? res.resources[0] : res;
  const rc = fromBinary(envoy.RouteConfigurationSchema, any!.value);
  const action = rc.virtualHosts[0]!.routes[0]!.action.value as envoy.RouteAction;
  return (action.clusterSpecifier.value as envoy.WeightedCluster).clusters.map((c) => c.weight ?? 0);
}

/** Serves `ads` on 127.0.0.1:0 for the enclosing suite, with one client connection to it. */
export function servedOnLoopback(ads: AdsServer): { readonly client: AdsClient; readonly port: number } {
  const server = new Server();
  ads.register(server);
  let conn: { client: AdsClient; close: () => void } | undefined;
  let port = 0;
  before(async () => {
    port = (await server.listen(0)).port;
    conn = adsClient(port);
  });
  after(async () => {
    conn?.close();
    await server.close(500);
  });
  return {
    get client() {
      if (!conn) throw new Error('the suite has not started');
      return conn.client;
    },
    get port() {
      return port;
    },
  };
}
