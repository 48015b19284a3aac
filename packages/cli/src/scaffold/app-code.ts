// The code of a new mesh app: its API, a provider that registers itself with the control plane
// (createMeshServer), a consumer that dials the interface name, the bootstrap loader both share,
// and the package and TypeScript settings. Each function returns one file's text.

import { APP_PORT, type AppNames } from './app-names.js';

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

function genImport(n: AppNames): string {
  return `./gen/${n.protoPath.replace(/\.proto$/, '_pb.js')}`;
}

export function meshBootstrapFile(): string {
  return `// The xDS bootstrap, in gRPC's format. On Istio, grpc-agent writes one and sets GRPC_XDS_BOOTSTRAP
// (GRPC_XDS_BOOTSTRAP_CONFIG holds one inline). Otherwise bootstrap.json, beside package.json,
// points at a Shoal control plane on this machine: \`npm run cp\`, or the one \`npm start\` runs in
// the Shoal repository. The control plane keeps one registration per node id, so each process
// started from that file gets an id of its own.
import { readFileSync } from 'node:fs';
import { loadBootstrap, type XdsBootstrap } from '@shoal/xds/client';

export function meshBootstrap(role: string): XdsBootstrap {
  if (process.env.GRPC_XDS_BOOTSTRAP || process.env.GRPC_XDS_BOOTSTRAP_CONFIG) return loadBootstrap();
  const local = loadBootstrap({ config: readFileSync(new URL('../bootstrap.json', import.meta.url), 'utf8') });
  return { ...local, node: { ...local.node, id: \`\${local.node.id}-\${role}-\${process.pid}\` } };
}
`;
}

export function providerFile(n: AppNames): string {
  return `// The provider: serves ${n.interfaceName} and registers itself with the mesh's control plane
// (createMeshServer): app ${n.app}, its port and interfaces, and labels for routing: VERSION
// (DestinationRule subsets pick by it) and ZONE (with REGION, its locality: callers prefer their own
// zone). It serves once the control plane has sent its inbound listener (gRFC A36).
// With SHOAL_ADMIN_PORT set, its Istio and gRPC metrics are served at :PORT/stats/prometheus.
//   PORT (default ${APP_PORT}), HOST (default 127.0.0.1), VERSION (default v1),
//   ZONE and REGION (default: the bootstrap's locality), SHOAL_ADMIN_PORT (default: none)
import { createMeshServer } from '@shoal/mesh';
import { createTelemetry } from '@shoal/telemetry';
import { ${n.service} } from '${genImport(n)}';
import { meshBootstrap } from './mesh-bootstrap.js';

const version = process.env.VERSION ?? 'v1';
const port = Number(process.env.PORT ?? ${APP_PORT});
const host = process.env.HOST ?? '127.0.0.1';
const bootstrap = meshBootstrap(\`provider-\${version}\`);
const zone = process.env.ZONE ?? bootstrap.node.locality.zone;
const region = process.env.REGION ?? bootstrap.node.locality.region;

let servedBy = '';
const server = createMeshServer({
  bootstrap,
  registration: {
    app: '${n.app}',
    labels: { version, ...(zone && { zone }) },
    // Only a zone given here replaces the bootstrap's locality (on Istio, the node's real one).
    ...(process.env.ZONE && { locality: { region, zone } }),
  },
  standardServices: true, // health and reflection: \`shoal list HOST:PORT\` works
  telemetry: createTelemetry({ node: bootstrap.node }), // metrics on SHOAL_ADMIN_PORT, traces on OTEL_*
  onServingStatus: (serving, reason) => console.log(\`\${serving ? 'serving' : 'not serving'}: \${reason}\`),
});
server.register(${n.service}, {
  sayHello(request) {
    return { message: \`Hello, \${request.name || 'world'}!\`, servedBy };
  },
});
const address = await server.listen(port, host);
servedBy = \`${n.app}-\${version}@\${address.host}:\${address.port}\`;
console.log(
  \`${n.app} \${version} (\${zone || 'no zone'}): listening on \${address.host}:\${address.port}, registering with \${bootstrap.xdsServers[0]?.serverUri}\`,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void server.close(2000).then(() => process.exit(0)));
}
`;
}

export function consumerFile(n: AppNames): string {
  return `// The consumer: calls ${n.interfaceName} through the mesh, by its interface name as
// Dubbo does, COUNT times, and prints how many calls each provider answered. The control plane's
// routes decide where each call goes (route, weighted subset, endpoint), in this process.
//   node dist/consumer.js [COUNT]       COUNT calls (default 20), then a summary
//   EVERY_MS=2000 node dist/consumer.js  the same again every 2 s, until stopped
//   TARGET  what to dial (default ${n.interfaceName}; on Istio,
//           xds:///${n.meshHost}:${APP_PORT})
import { createMeshClient, meshTransportOf } from '@shoal/mesh/client';
import { ${n.service} } from '${genImport(n)}';
import { meshBootstrap } from './mesh-bootstrap.js';

const target = process.env.TARGET ?? '${n.interfaceName}';
const count = Number(process.argv[2] ?? process.env.COUNT ?? 20);
const everyMs = Number(process.env.EVERY_MS ?? 0);
const client = createMeshClient(${n.service}, target, { bootstrap: meshBootstrap('consumer') });

async function batch(): Promise<number> {
  const servedBy = new Map<string, number>();
  let failed = 0;
  for (let i = 0; i < count; i++) {
    try {
      const response = await client.sayHello({ name: 'mesh' }, { timeoutMs: 5000 });
      servedBy.set(response.servedBy, (servedBy.get(response.servedBy) ?? 0) + 1);
    } catch (err) {
      failed++;
      if (failed === 1) console.error(\`call \${i + 1} failed: \${(err as Error).message}\`);
    }
  }
  console.log(\`\${count} calls to \${target}:\`);
  for (const [provider, calls] of [...servedBy].sort()) console.log(\`\${String(calls).padStart(7)}  \${provider}\`);
  if (failed > 0) console.log(\`\${String(failed).padStart(7)}  failed\`);
  return failed;
}

let failed = await batch();
while (everyMs > 0) {
  await new Promise((resolve) => setTimeout(resolve, everyMs));
  failed = await batch();
}
meshTransportOf(client).close();
process.exitCode = failed > 0 ? 1 : 0;
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
      cp: 'shoal cp --config mesh',
      start: 'node dist/provider.js',
      'provider:v2': 'VERSION=v2 HOST=127.0.0.2 node dist/provider.js',
      consumer: 'node dist/consumer.js',
    },
    dependencies: Object.fromEntries(
      ['@bufbuild/protobuf', '@shoal/mesh', '@shoal/telemetry', '@shoal/xds'].map((p) => [
        p,
        dependencyVersion(p),
      ]),
    ),
    devDependencies: Object.fromEntries(
      ['@shoal/cli', '@types/node', 'typescript'].map((p) => [p, dependencyVersion(p)]),
    ),
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
