// `shoal validate -f FILE`: checks like `istioctl analyze`, each document's own errors (with
// Istio's field paths; Dubbo's rules at the paths as written) and problems across documents. As
// istioctl analyze reads the cluster, it reads the running control plane's config and registry
// when one answers, so a file that routes to subsets a live DestinationRule defines is valid; it
// says which it did. `--offline` checks the files alone. Errors exit 1; warnings are printed and
// exit 0.

import type { AnyConfigObject, ConfigIssue } from '@shoal/control-plane';
import type { RegistryInterfacesAnswer, RegistryServicesAnswer } from '@shoal/control-plane/admin-api';
import type { Command } from 'commander';
import { AdminClient, defaultAdminAddress } from '../admin-client.js';
import { CliError, ExitCode } from '../cli-error.js';
import { parseOutputFormat, printData } from '../output/print.js';
import { readConfigInput } from './config-input.js';

interface ValidateFlags {
  filename: string;
  output?: string;
  offline?: boolean;
  admin?: string;
}

/** What the files were checked against. */
type Against =
  | { mode: 'control-plane'; admin: string; configVersion: number; objects: number; services: number }
  | { mode: 'offline'; reason: string };

interface Live {
  against: Against;
  objects: AnyConfigObject[];
  hosts: string[];
  /** Interface → the hosts serving it, for Dubbo's service-scoped rules. */
  interfaceHosts: Map<string, string[]>;
}

/** The running control plane's config and registry hosts, or why it was not read. */
async function readLive(flags: ValidateFlags): Promise<Live> {
  const offline = (reason: string): Live => ({
    against: { mode: 'offline', reason },
    objects: [],
    hosts: [],
    interfaceHosts: new Map(),
  });
  if (flags.offline) return offline('--offline');
  const address = flags.admin ?? defaultAdminAddress;
  const admin = new AdminClient(address);
  let configVersion: number;
  try {
    configVersion = (await admin.ok<{ configVersion: number }>('GET', '/api/status')).configVersion;
  } catch (err) {
    // Asked for by name, a control plane that does not answer is an error; the default one is
    // simply not running, and the files are checked alone.
    if (flags.admin !== undefined) throw err;
    return offline(`no control plane answered at ${address}: ${(err as Error).message}`);
  }
  const config = await admin.ok<{ items: AnyConfigObject[] }>('GET', '/api/config');
  const services = await admin.ok<RegistryServicesAnswer>('GET', '/api/registry/services');
  const interfaces = await admin.ok<RegistryInterfacesAnswer>('GET', '/api/registry/interfaces');
  return {
    against: {
      mode: 'control-plane',
      admin: address,
      configVersion,
      objects: config.items.length,
      services: services.items.length,
    },
    objects: config.items,
    hosts: services.items.map((s) => s.hostname),
    interfaceHosts: new Map(interfaces.items.map((i) => [i.name, i.targets.map((t) => t.hostname)])),
  };
}

function againstLine(a: Against): string {
  return a.mode === 'control-plane'
    ? `Validated with the running control plane at ${a.admin} (config version ${a.configVersion}: ${a.objects} object(s); ${a.services} service(s) in its registry)`
    : `Validated offline, the file(s) alone (${a.reason})`;
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(
      "check Istio config and Dubbo's rules (VirtualService, DestinationRule, ServiceEntry, WorkloadEntry, ..., condition and tag routers, dynamic configuration) with the running control plane, or --offline",
    )
    .requiredOption('-f, --filename <file>', 'a YAML/JSON file, a folder of them, or - for stdin')
    .option('--offline', 'check the files alone, without the running control plane')
    .option('--admin <address>', `control plane admin API (default ${defaultAdminAddress})`)
    .option('-o, --output <format>', 'json or yaml')
    .action(async (flags: ValidateFlags) => {
      // Loaded on use: the validator compiles its schemas, which other verbs need not pay for.
      const { analyzeConfig, analyzeWithLive, formatIssue, loadConfigText } = await import(
        '@shoal/control-plane'
      );
      const format = parseOutputFormat(flags.output);
      if (flags.offline && flags.admin !== undefined)
        throw new CliError('--offline and --admin contradict each other', ExitCode.usage);
      const inputs = readConfigInput(flags.filename);
      const errors: ConfigIssue[] = [];
      const warnings: ConfigIssue[] = [];
      const all: AnyConfigObject[] = [];
      for (const input of inputs) {
        const loaded = loadConfigText(input.text, { source: input.source });
        errors.push(...loaded.errors);
        warnings.push(...loaded.warnings);
        all.push(...loaded.objects);
      }
      const live = await readLive(flags);
      // Cross-object checks see the documents of every file together, and the live config.
      const analysis =
        live.against.mode === 'control-plane'
          ? analyzeWithLive(all, live.objects, {
              knownHosts: live.hosts,
              interfaceHosts: live.interfaceHosts,
            })
          : analyzeConfig(all);
      errors.push(...analysis.errors);
      warnings.push(...analysis.warnings);
      const objects = all.length;
      const result = { valid: errors.length === 0, against: live.against, objects, errors, warnings };
      printData(result, format, () =>
        [
          againstLine(live.against),
          ...errors.map((i) => `Error: ${formatIssue(i)}`),
          ...warnings.map((i) => `Warning: ${formatIssue(i)}`),
          errors.length === 0
            ? `✔ ${objects} object(s) valid${warnings.length ? ` (${warnings.length} warning(s))` : ''}`
            : `✘ ${errors.length} error(s) in ${inputs.map((i) => i.source).join(', ')}`,
        ].join('\n'),
      );
      if (errors.length > 0) process.exitCode = ExitCode.failure;
    });
}
