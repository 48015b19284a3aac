// Small resource types for the client's transport tests (internal), built on real Envoy messages:
// an EDS-like type on ClusterLoadAssignment and a CDS-like state-of-the-world type on Cluster. They
// validate a few fields with field paths so the tests can see NACKs; the real decoders are in
// ../resources and are wired in default-resource-types.ts.
import { create, fromBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { type Any, anyPack } from '@bufbuild/protobuf/wkt';
import type { XdsDecodeResult, XdsResourceType } from '../src/client/resource-type.js';
import { ClusterSchema } from '../src/gen/envoy/config/cluster/v3/cluster_pb.js';
import { ClusterLoadAssignmentSchema } from '../src/gen/envoy/config/endpoint/v3/endpoint_pb.js';
import { CLUSTER_LOAD_ASSIGNMENT_TYPE_URL, CLUSTER_TYPE_URL } from '../src/type-urls.js';

export interface TestEndpoints {
  readonly cluster: string;
  readonly addresses: readonly string[];
}

export const testEndpointsType: XdsResourceType<TestEndpoints> = {
  typeUrl: CLUSTER_LOAD_ASSIGNMENT_TYPE_URL,
  shortName: 'eds',
  resourceLabel: 'cluster_load_assignment',
  allResourcesRequired: false,
  decode(resource: Any): XdsDecodeResult<TestEndpoints> {
    const cla = fromBinary(ClusterLoadAssignmentSchema, resource.value);
    const errors: string[] = [];
    if (cla.clusterName === '') errors.push('cluster_name: must not be empty');
    const addresses: string[] = [];
    for (const [i, locality] of cla.endpoints.entries()) {
      for (const [j, lb] of locality.lbEndpoints.entries()) {
        const path = `endpoints[${i}].lb_endpoints[${j}].endpoint.address.socket_address`;
        const sa =
          lb.hostIdentifier.case === 'endpoint' ? lb.hostIdentifier.value.address?.address : undefined;
        if (sa?.case !== 'socketAddress') {
          errors.push(`${path}: is required`);
          continue;
        }
        const port = sa.value.portSpecifier.case === 'portValue' ? sa.value.portSpecifier.value : 0;
        if (port < 1 || port > 65535) errors.push(`${path}.port_value: must be 1..65535, got ${port}`);
        addresses.push(`${sa.value.address}:${port}`);
      }
    }
    return errors.length
      ? { ok: false, name: cla.clusterName, errors }
      : { ok: true, name: cla.clusterName, value: { cluster: cla.clusterName, addresses } };
  },
};

export interface TestCluster {
  readonly name: string;
  readonly edsServiceName: string;
}

export const testClusterType: XdsResourceType<TestCluster> = {
  typeUrl: CLUSTER_TYPE_URL,
  shortName: 'cds',
  resourceLabel: 'cluster',
  allResourcesRequired: true,
  decode(resource: Any): XdsDecodeResult<TestCluster> {
    const c = fromBinary(ClusterSchema, resource.value);
    if (c.name === '') return { ok: false, errors: ['name: must not be empty'] };
    const eds = c.edsClusterConfig?.serviceName ?? '';
    if (eds.includes(' '))
      return { ok: false, name: c.name, errors: ['eds_cluster_config.service_name: no spaces'] };
    return { ok: true, name: c.name, value: { name: c.name, edsServiceName: eds || c.name } };
  },
};

/** A ClusterLoadAssignment Any with one locality of `host:port` endpoints. */
export function endpointsAny(cluster: string, ...hostPorts: string[]): Any {
  const init: MessageInitShape<typeof ClusterLoadAssignmentSchema> = {
    clusterName: cluster,
    endpoints: [
      {
        loadBalancingWeight: 1,
        lbEndpoints: hostPorts.map((hp) => {
          const [address = '', port = '0'] = hp.split(':');
          return {
            hostIdentifier: {
              case: 'endpoint',
              value: {
                address: {
                  address: {
                    case: 'socketAddress',
                    value: { address, portSpecifier: { case: 'portValue', value: Number(port) } },
                  },
                },
              },
            },
          };
        }),
      },
    ],
  };
  return anyPack(ClusterLoadAssignmentSchema, create(ClusterLoadAssignmentSchema, init));
}

/** A Cluster Any (EDS service name optional). */
export function clusterAny(name: string, edsServiceName = ''): Any {
  return anyPack(
    ClusterSchema,
    create(ClusterSchema, {
      name,
      ...(edsServiceName && { edsClusterConfig: { serviceName: edsServiceName } }),
    }),
  );
}
