// The files of a new Shoal app. Each function returns one file's text.

import type { AppNames } from './app-names.js';

export function protoFile(n: AppNames): string {
  return `syntax = "proto3";

package ${n.protoPackage};

message SayHelloRequest {
  string name = 1;
}

message SayHelloResponse {
  string message = 1;
  // Which provider answered: with several providers, this shows the mesh's routing at work.
  string served_by = 2;
}

service ${n.service} {
  rpc SayHello(SayHelloRequest) returns (SayHelloResponse);
}
`;
}

export function genImport(n: AppNames): string {
  return `./gen/${n.protoPath.replace(/\.proto$/, '_pb.js')}`;
}

export function providerFile(n: AppNames): string {
  return `// The provider: serves ${n.protoPackage}.${n.service} on PORT (default 50051) for gRPC, Triple and curl.
import { Server } from '@shoal/rpc';
import { ${n.service} } from '${genImport(n)}';

const port = Number(process.env.PORT ?? 50051);
const version = process.env.VERSION ?? 'v1';
let servedBy = '';
const server = new Server({ standardServices: true });
server.register(${n.service}, {
  sayHello(request) {
    return { message: \`Hello, \${request.name || 'world'}!\`, servedBy };
  },
});
const address = await server.listen(port, process.env.HOST ?? '127.0.0.1');
servedBy = \`${n.app}-\${version}@\${address.port}\`;
console.log(\`${n.app}: serving ${n.protoPackage}.${n.service} on \${address.host}:\${address.port}\`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void server.close(2000).then(() => process.exit(0)));
}
`;
}

export function consumerFile(n: AppNames): string {
  return `// The consumer: calls ${n.service}.SayHello at TARGET (default 127.0.0.1:50051) and prints the answer.
import { createClient } from '@shoal/rpc';
import { ${n.service} } from '${genImport(n)}';

const target = process.env.TARGET ?? '127.0.0.1:50051';
const client = createClient(${n.service}, target);
try {
  const response = await client.sayHello({ name: process.argv[2] ?? 'Shoal' }, { timeoutMs: 5000 });
  console.log(\`\${response.message} (served by \${response.servedBy})\`);
} catch (err) {
  console.error(\`${n.app} consumer: \${(err as Error).message}\`);
  process.exitCode = 1;
}
`;
}

export function packageJson(n: AppNames, dependencyVersion: (pkg: string) => string): string {
  const pkg = {
    name: n.app,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: {
      gen: 'shoal gen',
      build: 'shoal gen && tsc',
      start: 'node dist/provider.js',
      consumer: 'node dist/consumer.js',
    },
    dependencies: {
      '@bufbuild/protobuf': dependencyVersion('@bufbuild/protobuf'),
      '@shoal/rpc': dependencyVersion('@shoal/rpc'),
    },
    devDependencies: {
      '@shoal/cli': dependencyVersion('@shoal/cli'),
      '@types/node': dependencyVersion('@types/node'),
      typescript: dependencyVersion('typescript'),
    },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

export const tsconfigJson = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      verbatimModuleSyntax: true,
      skipLibCheck: true,
      rootDir: 'src',
      outDir: 'dist',
      types: ['node'],
    },
    include: ['src'],
  },
  null,
  2,
)}\n`;

/** gRPC's bootstrap format, pointing at Shoal's control plane on its default port. */
export function bootstrapJson(n: AppNames): string {
  return `${JSON.stringify(
    {
      xds_servers: [
        { server_uri: '127.0.0.1:15010', channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] },
      ],
      node: {
        id: `${n.app}~local`,
        metadata: { SHOAL_APP: n.app },
        locality: { region: 'local', zone: 'zone-a' },
      },
      server_listener_resource_name_template: 'xds.istio.io/grpc/lds/inbound/%s',
    },
    null,
    2,
  )}\n`;
}

/** Kubernetes and Istio manifests: the same app on Istio, proxyless via the grpc-agent template. */
export function kubernetesYaml(n: AppNames): string {
  const host = `${n.app}.default.svc.cluster.local`;
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
      port: 50051
      targetPort: 50051
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${n.app}-v1
spec:
  replicas: 2
  selector:
    matchLabels:
      app: ${n.app}
      version: v1
  template:
    metadata:
      labels:
        app: ${n.app}
        version: v1
      annotations:
        # Istio writes a gRPC xDS bootstrap for proxyless apps instead of injecting Envoy.
        inject.istio.io/templates: grpc-agent
        proxy.istio.io/config: '{"holdApplicationUntilProxyStarts": true}'
    spec:
      containers:
        - name: app
          image: ${n.app}:latest
          command: ["node", "dist/provider.js"]
          env:
            - name: HOST
              value: 0.0.0.0
            - name: VERSION
              value: v1
          ports:
            - containerPort: 50051
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ${n.app}
spec:
  host: ${host}
  subsets:
    - name: v1
      labels:
        version: v1
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ${n.app}
spec:
  hosts:
    - ${host}
  http:
    - route:
        - destination:
            host: ${host}
            subset: v1
`;
}

export function readme(n: AppNames): string {
  return `# ${n.app}

A Shoal app: \`${n.protoPackage}.${n.service}\`, defined in \`proto/${n.protoPath}\`.

\`\`\`sh
npm install
npm run build        # shoal gen (protobuf → TypeScript), then tsc
npm start            # the provider, on PORT (default 50051)
npm run consumer     # calls it once
curl -H 'content-type: application/json' -d '{"name":"curl"}' http://127.0.0.1:50051/${n.protoPackage}.${n.service}/SayHello
\`\`\`

- \`bootstrap.json\`: gRPC's xDS bootstrap, pointing at a Shoal control plane on 127.0.0.1:15010 (\`shoal cp\`).
- \`deploy/kubernetes.yaml\`: Service, Deployment (\`inject.istio.io/templates: grpc-agent\`), DestinationRule and
  VirtualService, to run the same app proxyless on Istio.
`;
}
