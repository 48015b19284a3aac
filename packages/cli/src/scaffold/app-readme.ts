// The README of a new app: build it, run it in a mesh on this machine, shift weight from v1 to v2
// on its own service, and run it on Istio.

import { rolloutFile } from './app-mesh-config.js';
import { APP_PORT, type AppNames } from './app-names.js';

export function readme(n: AppNames): string {
  const method = `${n.interfaceName}/SayHello`;
  return `# ${n.app}

A proxyless Shoal mesh app: \`${n.interfaceName}\`, defined in \`proto/${n.protoPath}\`; a provider
that registers itself with the control plane, and a consumer that calls it through the mesh by its
interface name. Each process talks xDS to the control plane and routes its own calls: no sidecar.

\`\`\`sh
npm install
npm run build            # shoal gen (protobuf → TypeScript in src/gen), then tsc
\`\`\`

## Run it in a mesh on this machine

Each in a terminal of its own:

\`\`\`sh
npm run cp               # a Shoal control plane: xDS on 127.0.0.1:15010, admin API on :15000, mesh/ loaded
npm start                # provider v1 on 127.0.0.1:${APP_PORT}
npm run provider:v2      # provider v2 on 127.0.0.2:${APP_PORT}
npm run consumer         # 20 calls to ${n.interfaceName}: all answered by v1
\`\`\`

Running Shoal's demo already (\`npm start\` in the Shoal repository)? Its control plane listens on
the same ports: skip \`npm run cp\` and send this app's config to it with
\`npx shoal apply -f mesh/ --data-dir <the Shoal repository>/.shoal\` (where its admin token is). The
demo runs mutual TLS STRICT, which this app's plaintext bootstrap does not pass: start it with
\`npm start -- --no-mtls\` for that.

Each provider registers itself (\`createMeshServer\` in \`src/provider.ts\`): app \`${n.app}\`, its
address, port and interfaces, and the labels \`version\` (from \`VERSION\`) and \`zone\` (from
\`ZONE\`, default the bootstrap's). The control plane makes the service \`${n.meshHost}\` of them,
and publishes the interface \`${n.interfaceName}\` for consumers that dial it by name. The two
providers share port ${APP_PORT} on two loopback addresses, as two pods would (Linux routes all of
127.0.0.0/8 to loopback; on macOS run \`sudo ifconfig lo0 alias 127.0.0.2\` once).
\`bootstrap.json\` says where the control plane is; on Istio, \`GRPC_XDS_BOOTSTRAP\` does.

## Shift weight from v1 to v2

\`mesh/${n.app}.yaml\` defines the subsets v1 and v2 (DestinationRule, by the \`version\` label) and
sends every call to v1 (VirtualService). Move traffic to v2 step by step:

\`\`\`sh
npx shoal apply -f rollout/${rolloutFile(20)}    # v1 80, v2 20
npm run consumer -- 200                  # about 160 calls on v1 and 40 on v2
npx shoal apply -f rollout/${rolloutFile(100)}      # every call on v2
npm run consumer
npx shoal apply -f mesh/                 # back to v1
\`\`\`

To watch the split move while you apply, keep \`EVERY_MS=1000 npm run consumer\` running. Change
the weights in a rollout file and apply it again for other steps; while \`npm run cp\` runs, edits
to \`mesh/\` are loaded as well. \`npx shoal get vs\` shows the config, \`npx shoal proxy-status\`
what each process was sent, and a small load through the mesh from the command line reports calls
by cluster (subset):

\`\`\`sh
npx shoal call ${n.interfaceName} ${method} --bootstrap bootstrap.json --count 200
\`\`\`

Zones: start a provider with \`ZONE=zone-b\` and the consumer (zone-a, in \`bootstrap.json\`) keeps
to the providers of its own zone while that subset has any.

Each provider also answers directly, without the mesh: gRPC, Triple, and JSON over HTTP/1.1:

\`\`\`sh
npx shoal call 127.0.0.1:${APP_PORT} ${method} -d '{"name":"cli"}'
curl -H 'content-type: application/json' -d '{"name":"curl"}' http://127.0.0.1:${APP_PORT}/${method}
\`\`\`

## Run on Istio

\`deploy/kubernetes.yaml\` runs the same code proxyless on Istio: a Service, provider Deployments
v1 and v2, the DestinationRule and VirtualService, and a consumer that calls every 5 s. Each pod
carries \`inject.istio.io/templates: grpc-agent\`, so Istio writes a gRPC xDS bootstrap
(\`GRPC_XDS_BOOTSTRAP\`) instead of injecting Envoy. istiod finds the providers by the Service and
their pod labels (it does not read Shoal's registration), and publishes hosts rather than
interfaces, so there the consumer dials \`xds:///${n.meshHost}:${APP_PORT}\` (\`TARGET\`). Shift
weight by editing the VirtualService's weights and \`kubectl apply\`.

## Files

- \`proto/\`: the API; \`npm run gen\` writes \`src/gen/\`.
- \`src/provider.ts\`, \`src/consumer.ts\`, \`src/mesh-bootstrap.ts\` (which bootstrap a process uses).
- \`bootstrap.json\`: gRPC's xDS bootstrap for a control plane on this machine.
- \`mesh/\`: the config \`npm run cp\` starts with; \`rollout/\`: the weight-shift steps.
- \`deploy/kubernetes.yaml\`: the app on Kubernetes with Istio.
`;
}
