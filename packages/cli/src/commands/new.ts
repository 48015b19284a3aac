// `shoal new DIR [--name NAME]`: scaffolds a proxyless mesh app: its proto, a provider that
// registers itself with the control plane, a consumer that dials the interface name, codegen, the
// bootstrap and config for a control plane on this machine, the rollout steps of a weight shift,
// and Kubernetes/Istio manifests.

import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError, ExitCode } from '../cli-error.js';
import {
  consumerFile,
  meshBootstrapFile,
  packageJson,
  protoFile,
  providerFile,
  tsconfigJson,
} from '../scaffold/app-code.js';
import {
  bootstrapJson,
  kubernetesYaml,
  meshYaml,
  rolloutFile,
  rolloutYaml,
} from '../scaffold/app-mesh-config.js';
import { appNames } from '../scaffold/app-names.js';
import { readme } from '../scaffold/app-readme.js';
import { dependencyVersions } from '../scaffold/shoal-dependencies.js';
import { defaultBufGenYaml } from './gen.js';

export function scaffoldApp(dir: string, name?: string): string[] {
  const target = resolve(dir);
  if (existsSync(target) && readdirSync(target).length > 0) {
    throw new CliError(`${target} exists and is not empty`, ExitCode.usage, 'choose a new folder');
  }
  const names = appNames(name ?? basename(target));
  const files: Record<string, string> = {
    'package.json': packageJson(names, dependencyVersions(target)),
    'tsconfig.json': tsconfigJson,
    'buf.gen.yaml': defaultBufGenYaml,
    [`proto/${names.protoPath}`]: protoFile(names),
    'src/provider.ts': providerFile(names),
    'src/consumer.ts': consumerFile(names),
    'src/mesh-bootstrap.ts': meshBootstrapFile(),
    'bootstrap.json': bootstrapJson(names),
    [`mesh/${names.app}.yaml`]: meshYaml(names),
    [`rollout/${rolloutFile(20)}`]: rolloutYaml(names, 20),
    [`rollout/${rolloutFile(100)}`]: rolloutYaml(names, 100),
    'deploy/kubernetes.yaml': kubernetesYaml(names),
    'README.md': readme(names),
    '.gitignore': 'node_modules/\ndist/\nsrc/gen/\n.shoal/\n',
  };
  for (const [path, text] of Object.entries(files)) {
    const full = join(target, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return Object.keys(files);
}

export function registerNew(program: Command): void {
  program
    .command('new')
    .description(
      'scaffold a mesh app: proto, self-registering provider, consumer, local mesh config, rollout steps, Kubernetes/Istio manifests',
    )
    .argument('<dir>', 'folder to create')
    .option('--name <name>', 'app name (default: the folder name)')
    .action((dir: string, flags: { name?: string }) => {
      const files = scaffoldApp(dir, flags.name);
      process.stdout.write(
        [
          `created ${resolve(dir)}:`,
          ...files.map((f) => `  ${f}`),
          '',
          'next (README.md walks through a weight shift):',
          `  cd ${dir}`,
          '  npm install && npm run build',
          '  npm run cp             # a control plane on this machine (skip it if `shoal demo` runs)',
          '  npm start              # provider v1',
          '  npm run provider:v2    # provider v2',
          '  npm run consumer       # calls through the mesh',
          '',
        ].join('\n'),
      );
    });
}
