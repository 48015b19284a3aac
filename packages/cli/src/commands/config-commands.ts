// `shoal apply`, `shoal get`, `shoal delete`: the control plane's config store, over its admin API.

import type { ConfigIssue } from '@shoal/control-plane';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { adminClientFor, withAdminOptions } from '../admin-client.js';
import { CliError, ExitCode } from '../cli-error.js';
import { parseOutputFormat, printData } from '../output/print.js';
import { renderTable } from '../output/table.js';
import { readConfigInput } from './config-input.js';

interface ApplyAnswer {
  version: number | string;
  changes: { type: string; kind: string; namespace: string; name: string }[];
  warnings: ConfigIssue[];
  skipped: { document: string; reason: string }[];
  error?: string;
  errors?: ConfigIssue[];
}

/** One line per issue, like the control plane's own format. */
export function issueLine(issue: ConfigIssue): string {
  const where = issue.source ? `${issue.source}${issue.line ? `:${issue.line}` : ''}: ` : '';
  return `${where}${issue.document}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
}

interface ConfigItem {
  kind: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; generation?: number };
  spec?: { hosts?: string[]; host?: string; subsets?: unknown[] };
}

export function registerConfigCommands(program: Command): void {
  withAdminOptions(program.command('apply'))
    .description('apply Istio config to the control plane (atomic: all documents or none)')
    .requiredOption('-f, --filename <file>', 'a YAML/JSON file, a folder of them, or - for stdin')
    .option('-o, --output <format>', 'json or yaml')
    .action(async (flags: { filename: string; admin: string; dataDir?: string; output?: string }) => {
      const format = parseOutputFormat(flags.output);
      const admin = adminClientFor(flags);
      const inputs = readConfigInput(flags.filename);
      // One request, so a folder applies atomically too.
      const body = inputs.map((i) => i.text.replace(/\n*$/, '\n')).join('---\n');
      const source = inputs.map((i) => i.source).join(',');
      const res = await admin.request<ApplyAnswer>(
        'POST',
        `/api/apply?source=${encodeURIComponent(source)}`,
        body,
      );
      if (res.status >= 400) {
        const issues = res.body.errors ?? [];
        printData(res.body, format, () =>
          [
            `apply rejected, nothing changed: ${res.body.error ?? res.status}`,
            ...issues.map((i) => `  ${issueLine(i)}`),
          ].join('\n'),
        );
        process.exitCode = ExitCode.failure;
        return;
      }
      printData(res.body, format, () =>
        [
          ...res.body.changes.map((c) => `${c.kind.toLowerCase()}/${c.namespace}/${c.name} ${c.type}`),
          ...(res.body.changes.length === 0 ? ['no changes'] : []),
          ...res.body.warnings.map((w) => `Warning: ${issueLine(w)}`),
          ...res.body.skipped.map((s) => `skipped ${s.document}: ${s.reason}`),
          `config version ${res.body.version}`,
        ].join('\n'),
      );
    });

  withAdminOptions(program.command('get'))
    .description('list config objects of a kind (vs, dr, se, we, ...) or show one')
    .argument(
      '<kind>',
      'VirtualService, DestinationRule, ServiceEntry, WorkloadEntry, ... (or vs, dr, se, we)',
    )
    .argument('[name]', 'one object')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('-A, --all-namespaces', 'every namespace')
    .option('-o, --output <format>', 'json or yaml')
    .action(
      async (
        kind: string,
        name: string | undefined,
        flags: {
          namespace: string;
          allNamespaces?: boolean;
          admin: string;
          dataDir?: string;
          output?: string;
        },
      ) => {
        const format = parseOutputFormat(flags.output);
        const admin = adminClientFor(flags);
        const path = name
          ? `/api/config/${encodeURIComponent(kind)}/${encodeURIComponent(flags.namespace)}/${encodeURIComponent(name)}`
          : `/api/config/${encodeURIComponent(kind)}${flags.allNamespaces ? '' : `/${encodeURIComponent(flags.namespace)}`}`;
        const res = await admin.request<ConfigItem & { items?: ConfigItem[]; error?: string }>('GET', path);
        if (res.status === 404)
          throw new CliError(`${kind} "${name}" not found in namespace ${flags.namespace}`);
        if (res.status >= 400)
          throw new CliError(res.body.error ?? `admin API answered ${res.status}`, ExitCode.usage);
        if (name) {
          printData(res.body, format, () => stringify(res.body).trimEnd());
          return;
        }
        const items = res.body.items ?? [];
        printData(items, format, () =>
          items.length === 0
            ? `no ${kind} in ${flags.allNamespaces ? 'any namespace' : `namespace ${flags.namespace}`}`
            : renderTable(
                ['NAME', 'NAMESPACE', 'KIND', 'HOSTS', 'VERSION'],
                items.map((i) => [
                  i.metadata.name,
                  i.metadata.namespace ?? 'default',
                  i.kind,
                  (i.spec?.hosts ?? (i.spec?.host ? [i.spec.host] : [])).join(',') || '-',
                  i.metadata.resourceVersion ?? '-',
                ]),
              ),
        );
      },
    );

  withAdminOptions(program.command('delete'))
    .description('delete a config object')
    .argument('<kind>', 'e.g. VirtualService or vs')
    .argument('<name>')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .action(
      async (kind: string, name: string, flags: { namespace: string; admin: string; dataDir?: string }) => {
        const admin = adminClientFor(flags);
        const path = `/api/config/${encodeURIComponent(kind)}/${encodeURIComponent(flags.namespace)}/${encodeURIComponent(name)}`;
        const res = await admin.request<{ deleted?: { kind: string }; version?: number; error?: string }>(
          'DELETE',
          path,
        );
        if (res.status === 404)
          throw new CliError(`${kind} "${name}" not found in namespace ${flags.namespace}`);
        if (res.status >= 400)
          throw new CliError(res.body.error ?? `admin API answered ${res.status}`, ExitCode.usage);
        process.stdout.write(
          `${kind.toLowerCase()}/${flags.namespace}/${name} deleted (config version ${res.body.version})\n`,
        );
      },
    );
}
