// `shoal new DIR [--name NAME]`: scaffolds an app (proto, provider, consumer, codegen, bootstrap,
// Kubernetes/Istio manifests). Shoal's own packages are linked from the Shoal checkout this CLI
// runs from (they are not on a registry), so `npm install` needs nothing that is not at hand.

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { CliError, ExitCode } from '../cli-error.js';
import { appNames } from '../scaffold/app-names.js';
import {
  bootstrapJson,
  consumerFile,
  kubernetesYaml,
  packageJson,
  protoFile,
  providerFile,
  readme,
  tsconfigJson,
} from '../scaffold/app-templates.js';
import { defaultBufGenYaml } from './gen.js';

/** The Shoal checkout holding this CLI: packages/cli/dist/commands → the repository root. */
function shoalRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
}

function dependencyVersions(root: string, target: string): (pkg: string) => string {
  const local: Record<string, string> = {
    '@shoal/rpc': 'packages/rpc',
    '@shoal/cli': 'packages/cli',
    '@shoal/mesh': 'packages/mesh',
    '@shoal/xds': 'packages/xds',
  };
  return (pkg) => {
    const dir = local[pkg];
    if (dir) return `file:${relative(target, join(root, dir))}`;
    // Third-party packages: the versions the Shoal checkout itself uses.
    const manifest = join(root, 'node_modules', pkg, 'package.json');
    return existsSync(manifest)
      ? `^${(JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version}`
      : 'latest';
  };
}

export function scaffoldApp(dir: string, name?: string): string[] {
  const target = resolve(dir);
  if (existsSync(target) && readdirSync(target).length > 0) {
    throw new CliError(`${target} exists and is not empty`, ExitCode.usage, 'choose a new folder');
  }
  const names = appNames(name ?? basename(target));
  const root = shoalRoot();
  if (!existsSync(join(root, 'packages', 'rpc', 'package.json'))) {
    throw new CliError(`cannot find the Shoal packages next to this CLI (looked in ${root})`);
  }
  const files: Record<string, string> = {
    'package.json': packageJson(names, dependencyVersions(root, target)),
    'tsconfig.json': tsconfigJson,
    'buf.gen.yaml': defaultBufGenYaml,
    [`proto/${names.protoPath}`]: protoFile(names),
    'src/provider.ts': providerFile(names),
    'src/consumer.ts': consumerFile(names),
    'bootstrap.json': bootstrapJson(names),
    'deploy/kubernetes.yaml': kubernetesYaml(names),
    'README.md': readme(names),
    '.gitignore': 'node_modules/\ndist/\nsrc/gen/\n',
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
    .description('scaffold a Shoal app: proto, provider, consumer, bootstrap, Kubernetes/Istio manifests')
    .argument('<dir>', 'folder to create')
    .option('--name <name>', 'app name (default: the folder name)')
    .action((dir: string, flags: { name?: string }) => {
      const files = scaffoldApp(dir, flags.name);
      process.stdout.write(
        [
          `created ${resolve(dir)}:`,
          ...files.map((f) => `  ${f}`),
          '',
          'next:',
          `  cd ${dir}`,
          '  npm install && npm run build',
          '  npm start            # the provider on :50051',
          '  npm run consumer     # call it',
          '',
        ].join('\n'),
      );
    });
}
