// The mesh side of a new app: the xDS bootstrap for a control plane on this machine, the Istio
// config a local `shoal cp` starts with (subsets v1 and v2, every call on v1), the rollout steps
// that shift weight to v2, and Kubernetes/Istio manifests that run the same code proxyless on
// Istio (Istio's grpc-agent injection template writes the gRPC bootstrap instead of adding Envoy).

import { APP_PORT, type AppNames } from './app-names.js';

/** gRPC's bootstrap format, pointing at Shoal's control plane on its default port. */
export function bootstrapJson(n: AppNames): string {
  return `${JSON.stringify(
    {
      xds_servers: [
        { server_uri: '127.0.0.1:15010', channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] },
      ],
      node: {
        id: n.app,
        metadata: { NAMESPACE: 'default' },
        locality: { region: 'local', zone: 'zone-a' },
      },
      server_listener_resource_name_template: 'xds.istio.io/grpc/lds/inbound/%s',
    },
    null,
    2,
  )}\n`;
}

function virtualService(host: string, name: string, weights: { v1: number; v2: number }): string {
  const routes = (['v1', 'v2'] as const)
    .filter((subset) => weights[subset] > 0)
    .map(
      (subset) => `        - destination:
            host: ${host}
            subset: ${subset}
          weight: ${weights[subset]}`,
    );
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ${name}
spec:
  hosts:
    - ${host}
  http:
    - route:
${routes.join('\n')}
`;
}

function destinationRule(host: string, name: string): string {
  return `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ${name}
spec:
  host: ${host}
  subsets:
    - name: v1
      labels:
        version: v1
    - name: v2
      labels:
        version: v2
`;
}

/** mesh/APP.yaml: what `npm run cp` loads (and watches), or `shoal apply -f mesh/` sends. */
export function meshYaml(n: AppNames): string {
  return `# ${n.app}'s subsets, by the version label each provider registers with, and every call on v1.
# \`npm run cp\` loads this folder and reloads it on change; with another control plane (the
# demo's), send it with \`npx shoal apply -f mesh/\`.
${destinationRule(n.app, n.app)}---
${virtualService(n.app, n.app, { v1: 100, v2: 0 })}`;
}

export function rolloutYaml(n: AppNames, v2: number): string {
  const step = v2 === 100 ? 'Every call on v2' : `Canary: ${v2}% of calls on v2, the rest on v1`;
  return `# ${step}. Apply with: npx shoal apply -f rollout/${rolloutFile(v2)}
${virtualService(n.app, n.app, { v1: 100 - v2, v2 })}`;
}

export function rolloutFile(v2: number): string {
  return v2 === 100 ? 'all-v2.yaml' : `canary-${v2}.yaml`;
}

function deployment(
  n: AppNames,
  name: string,
  labels: Record<string, string>,
  env: Record<string, string>,
  container: string,
): string {
  const labelLines = (indent: string) =>
    Object.entries(labels)
      .map(([k, v]) => `${indent}${k}: ${v}`)
      .join('\n');
  const envLines = Object.entries({ ...env, SHOAL_ADMIN_PORT: '15020' })
    .map(([k, v]) => `            - name: ${k}\n              value: ${JSON.stringify(v)}`)
    .join('\n');
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 1
  selector:
    matchLabels:
${labelLines('      ')}
  template:
    metadata:
      labels:
${labelLines('        ')}
      annotations:
        # Istio writes a gRPC xDS bootstrap for proxyless apps instead of injecting Envoy.
        inject.istio.io/templates: grpc-agent
        proxy.istio.io/config: '{"holdApplicationUntilProxyStarts": true}'
        # Prometheus scrapes the app's own Istio and gRPC metrics (@shoal/telemetry on SHOAL_ADMIN_PORT).
        prometheus.io/scrape: "true"
        prometheus.io/port: "15020"
        prometheus.io/path: /stats/prometheus
    spec:
      containers:
        - name: app
          image: ${n.app}:latest
          ${container}
          env:
${envLines}
`;
}

/** Kubernetes and Istio manifests: the same app on Istio, proxyless through grpc-agent. */
export function kubernetesYaml(n: AppNames): string {
  const provider = (version: string) =>
    deployment(
      n,
      `${n.app}-${version}`,
      { app: n.app, version },
      { HOST: '0.0.0.0', VERSION: version },
      `command: ["node", "dist/provider.js"]
          ports:
            - containerPort: ${APP_PORT}`,
    );
  return `apiVersion: v1
kind: Service
metadata:
  name: ${n.app}
  labels:
    app: ${n.app}
spec:
  selector:
    app: ${n.app}
  ports:
    - name: grpc
      port: ${APP_PORT}
      targetPort: ${APP_PORT}
---
${provider('v1')}---
${provider('v2')}---
${destinationRule(n.meshHost, n.app)}---
${virtualService(n.meshHost, n.app, { v1: 100, v2: 0 })}---
# istiod publishes hosts, not Shoal's interface listeners: on Istio the consumer dials xds:///HOST:PORT.
${deployment(n, `${n.app}-consumer`, { app: `${n.app}-consumer` }, { TARGET: `xds:///${n.meshHost}:${APP_PORT}`, EVERY_MS: '5000' }, 'command: ["node", "dist/consumer.js"]')}`;
}
