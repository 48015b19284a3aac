// The gRPC bootstrap `shoal agent` writes, as Istio's grpc-agent does for proxyless apps: the xDS
// server (TLS verified with the mesh root, mTLS with the workload certificate; insecure after it
// for gRPC libraries without `tls` channel creds, such as grpc-js), the node with Istio's metadata
// (NAMESPACE, SERVICE_ACCOUNT, LABELS, INSTANCE_IPS, GENERATOR grpc), a `default` file_watcher
// certificate provider over the agent's files, and istiod's server listener name template.
// Istio: pkg/istio-agent/grpcxds (the grpc-agent bootstrap), see testdata grpc-bootstrap.json.

import { join } from 'node:path';

export const CERT_FILES = { chain: 'cert-chain.pem', key: 'key.pem', root: 'root-cert.pem' } as const;

export interface AgentBootstrapOptions {
  readonly xdsAddress: string;
  readonly certDir: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The workload's name (pod name in Istio's node id). */
  readonly name: string;
  readonly ip: string;
  readonly refreshIntervalSeconds: number;
}

export function agentBootstrap(o: AgentBootstrapOptions): Record<string, unknown> {
  const file = (name: string) => join(o.certDir, name);
  return {
    xds_servers: [
      {
        server_uri: o.xdsAddress,
        channel_creds: [
          {
            type: 'tls',
            config: {
              ca_certificate_file: file(CERT_FILES.root),
              certificate_file: file(CERT_FILES.chain),
              private_key_file: file(CERT_FILES.key),
            },
          },
          { type: 'insecure' },
        ],
        server_features: ['xds_v3'],
      },
    ],
    node: {
      id: `sidecar~${o.ip}~${o.name}.${o.namespace}~${o.namespace}.svc.cluster.local`,
      metadata: {
        GENERATOR: 'grpc',
        NAMESPACE: o.namespace,
        SERVICE_ACCOUNT: o.serviceAccount,
        LABELS: { ...o.labels },
        INSTANCE_IPS: o.ip,
      },
      locality: {},
    },
    certificate_providers: {
      default: {
        plugin_name: 'file_watcher',
        config: {
          certificate_file: file(CERT_FILES.chain),
          private_key_file: file(CERT_FILES.key),
          ca_certificate_file: file(CERT_FILES.root),
          refresh_interval: `${o.refreshIntervalSeconds}s`,
        },
      },
    },
    server_listener_resource_name_template: 'xds.istio.io/grpc/lds/inbound/%s',
  };
}
