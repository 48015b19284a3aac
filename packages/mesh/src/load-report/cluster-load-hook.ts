// Where the mesh transport meets load reporting: which clusters report (those whose CDS resource
// says `lrs_server: self`, gRFC A27), to which reporter (a shared one, or one made for the
// transport from its XdsClient's server and Node), and one endpoint call's start and end.

import { performance } from 'node:perf_hooks';
import type { XdsClient, XdsCluster } from '@shoal/xds/client';
import type { MeshEndpoint } from '../lb/endpoint.js';
import { LoadReporter } from './load-reporter.js';
import type { ClusterLoad } from './load-store.js';

/** The cluster's load, when it reports; makes the transport's own reporter on first need. */
export function clusterLoad(
  cluster: XdsCluster,
  reporter: () => LoadReporter | undefined,
): ClusterLoad | undefined {
  if (!cluster.lrsServer) return undefined;
  const serviceName = cluster.discovery.type === 'eds' ? cluster.discovery.serviceName : cluster.name;
  return reporter()?.cluster(cluster.name, serviceName);
}

/** A reporter to the XdsClient's first server, as its Node; undefined without an XdsClient. */
export function reporterFor(xds: XdsClient | undefined): LoadReporter | undefined {
  const server = xds?.bootstrap.xdsServers[0];
  return xds && server
    ? new LoadReporter({ server, node: xds.node, certificateProviders: xds.certificateProviders })
    : undefined;
}

/** Counts one call to `ep` as started; the function it returns counts it as ended. */
export function startCall(
  load: ClusterLoad | undefined,
  ep: MeshEndpoint,
): ((ok: boolean) => void) | undefined {
  if (load === undefined) return undefined;
  const endpoint = load.endpoint(ep);
  endpoint.start();
  const started = performance.now();
  return (ok) => endpoint.end(ok, performance.now() - started);
}
