// `shoal apply`, `shoal get`, `shoal delete`: the control plane's config store, over its admin API.

import { basename } from 'node:path';
import {
  type AnyConfigObject,
  type ApplyAnswer,
  type ApplyRejectedAnswer,
  CONFIG_FILE_ANNOTATION,
  type ConfigListAnswer,
  type ConfigObjectAnswer,
  type DeleteAnswer,
  type ErrorAnswer,
  formatIssue,
  type SkippedDocument,
} from '@shoal/control-plane/admin-api';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { adminClientFor, withAdminOptions } from '../admin-client.js';
import { CliError, ExitCode } from '../cli-error.js';
import { parseOutputFormat, printData } from '../output/print.js';
import { renderTable } from '../output/table.js';
import { readConfigInput } from './config-input.js';

/** `Kind/namespace/name` of a document apply skipped, as far as it has them. */
function skippedName(s: SkippedDocument): string {
  return [s.kind, s.namespace, s.name].filter(Boolean).join('/');
}

/** Where an object came from: a config directory's file (as `shoal cp --config` marks it), or the API. */
function sourceOf(object: AnyConfigObject): string {
  const file = object.metadata.annotations?.[CONFIG_FILE_ANNOTATION];
  return file ? `file ${basename(file)}` : 'api';
}

/** The hosts a config object is about: Istio kinds name their hosts, Dubbo's rules their service or application key. */
function hostsOf(object: AnyConfigObject): string[] {
  const spec = object.spec as { hosts?: string[]; host?: string; key?: string };
  return spec.hosts ?? (spec.host ? [spec.host] : spec.key ? [spec.key] : []);
}

export function registerConfigCommands(program: Command): void {
  withAdminOptions(program.command('apply'))
    .description("apply Istio config and Dubbo's rules to the control plane (atomic: all documents or none)")
    .requiredOption('-f, --filename <file>', 'a YAML/JSON file, a folder of them, or - for stdin')
    .option('-o, --output <format>', 'json or yaml')
    .action(async (flags: { filename: string; admin: string; dataDir?: string; output?: string }) => {
      const format = parseOutputFormat(flags.output);
      const admin = adminClientFor(flags);
      const inputs = readConfigInput(flags.filename);
      // One request, so a folder applies atomically too.
      const body = inputs.map((i) => i.text.replace(/\n*$/, '\n')).join('---\n');
      const source = inputs.map((i) => i.source).join(',');
      // A rejected apply lists its issues; other failures (a body too large) carry the error alone.
      const res = await admin.request<ApplyAnswer, ApplyRejectedAnswer | ErrorAnswer>(
        'POST',
        `/api/apply?source=${encodeURIComponent(source)}`,
        body,
      );
      if (!res.ok) {
        const rejected = res.body;
        const issues = 'errors' in rejected ? rejected.errors : [];
        printData(rejected, format, () =>
          [
            `apply rejected, nothing changed: ${rejected.error ?? res.status}`,
            ...issues.map((i) => `  ${formatIssue(i)}`),
          ].join('\n'),
        );
        process.exitCode = ExitCode.failure;
        return;
      }
      const applied = res.body;
      printData(applied, format, () =>
        [
          ...applied.changes.map((c) => `${c.kind.toLowerCase()}/${c.namespace}/${c.name} ${c.type}`),
          ...(applied.changes.length === 0 ? ['no changes'] : []),
          ...applied.warnings.map((w) => `Warning: ${formatIssue(w)}`),
          ...applied.skipped.map((s) => `skipped ${skippedName(s)}: ${s.reason}`),
          `config version ${applied.version}`,
        ].join('\n'),
      );
    });

  withAdminOptions(program.command('get'))
    .description('list config objects of a kind (vs, dr, se, we, cr, tr, dc, ...) or show one')
    .argument(
      '<kind>',
      'VirtualService, DestinationRule, ServiceEntry, WorkloadEntry, ... (or vs, dr, se, we); Dubbo: ConditionRoute (cr, condition-router), TagRoute (tr, tag-router), DynamicConfig (dc, configurators), DubboVirtualService (dvs), DubboDestinationRule (ddr)',
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
        const res = await admin.request<ConfigObjectAnswer | ConfigListAnswer>('GET', path);
        if (res.status === 404)
          throw new CliError(`${kind} "${name}" not found in namespace ${flags.namespace}`);
        if (!res.ok) throw new CliError(res.body.error ?? `admin API answered ${res.status}`, ExitCode.usage);
        if (name) {
          printData(res.body, format, () => stringify(res.body).trimEnd());
          return;
        }
        const items = 'items' in res.body ? res.body.items : [];
        printData(items, format, () =>
          items.length === 0
            ? `no ${kind} in ${flags.allNamespaces ? 'any namespace' : `namespace ${flags.namespace}`}`
            : renderTable(
                ['NAME', 'NAMESPACE', 'KIND', 'HOSTS', 'VERSION', 'SOURCE'],
                items.map((i) => [
                  i.metadata.name,
                  i.metadata.namespace ?? 'default',
                  i.kind,
                  hostsOf(i).join(',') || '-',
                  i.metadata.resourceVersion ?? '-',
                  sourceOf(i),
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
        const res = await admin.request<DeleteAnswer>('DELETE', path);
        if (res.status === 404)
          throw new CliError(`${kind} "${name}" not found in namespace ${flags.namespace}`);
        if (!res.ok) throw new CliError(res.body.error ?? `admin API answered ${res.status}`, ExitCode.usage);
        process.stdout.write(
          `${kind.toLowerCase()}/${flags.namespace}/${name} deleted (config version ${res.body.version})
`,
        );
      },
    );
}
