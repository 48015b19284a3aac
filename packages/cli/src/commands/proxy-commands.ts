// `shoal proxy-status` and `shoal proxy-config`: what each xDS client was sent and ACKed, as
// istioctl shows it, from the control plane's /debug/syncz and /debug/config_dump.

import type { ClientStatus, ConfigDumpAnswer, SynczAnswer, TypeStatus } from '@shoal/control-plane/admin-api';
import type { Command } from 'commander';
import { type AdminClient, adminClientFor, withAdminOptions } from '../admin-client.js';
import { CliError, ExitCode } from '../cli-error.js';
import { parseOutputFormat, printData } from '../output/print.js';
import { renderTable } from '../output/table.js';
import { type ResourceKind, resourceKinds, resourceRows } from './proxy-config-tables.js';
import { printSecrets } from './proxy-secret.js';

const typeOrder = ['CDS', 'LDS', 'EDS', 'RDS'] as const;

function stateCell(status: TypeStatus | undefined): string {
  if (!status) return 'NOT SENT';
  return status.state;
}

export function registerProxyCommands(program: Command): void {
  withAdminOptions(program.command('proxy-status'))
    .description('every connected xDS client and whether it is in sync (SYNCED, STALE, NACKED)')
    .option('-o, --output <format>', 'json or yaml')
    .action(async (flags: { admin: string; dataDir?: string; output?: string }) => {
      const format = parseOutputFormat(flags.output);
      const { clients } = await adminClientFor(flags).ok<SynczAnswer>('GET', '/debug/syncz');
      printData(clients, format, () => {
        if (clients.length === 0) return 'no xDS clients connected';
        const rows = clients.map((c) => {
          const versions = typeOrder.map((t) => c.types[t]?.ackedVersion).filter(Boolean) as string[];
          return [
            c.nodeId,
            ...typeOrder.map((t) => stateCell(c.types[t])),
            versions.at(-1)?.split('-')[0] ?? '-',
            c.protocol,
            c.proxyType === 'sidecar' ? 'SIDECAR' : 'PROXYLESS',
            c.client.description,
          ];
        });
        const nacks = clients.flatMap((c) =>
          typeOrder.flatMap((t) =>
            c.types[t]?.state === 'NACKED'
              ? [`${c.nodeId} ${t} NACK: ${c.types[t]?.lastNack?.message ?? ''}`]
              : [],
          ),
        );
        return [
          renderTable(['NAME', 'CDS', 'LDS', 'EDS', 'RDS', 'VERSION', 'PROTOCOL', 'TYPE', 'CLIENT'], rows),
          ...nacks,
        ].join('\n');
      });
    });

  withAdminOptions(program.command('proxy-config'))
    .description('what one xDS client was sent: clusters, routes, listeners or endpoints')
    .argument('<type>', `one of: ${resourceKinds.join(', ')}, secret`)
    .argument('<client>', 'node id of the client (a unique prefix is enough); see `shoal proxy-status`')
    .option('-o, --output <format>', 'json or yaml: the resources themselves')
    .action(
      async (type: string, client: string, flags: { admin: string; dataDir?: string; output?: string }) => {
        const format = parseOutputFormat(flags.output);
        const admin = adminClientFor(flags);
        if (/^secrets?$/i.test(type)) {
          const { nodeId, status } = await resolveClientStatus(admin, client);
          await printSecrets(admin, nodeId, format, status);
          return;
        }
        const kind = normalizeKind(type);
        const nodeId = await resolveClient(admin, client);
        const dump = await admin.ok<ConfigDumpAnswer>(
          'GET',
          `/debug/config_dump?proxy=${encodeURIComponent(nodeId)}`,
        );
        const xdsType = ({ cluster: 'CDS', route: 'RDS', listener: 'LDS', endpoint: 'EDS' } as const)[kind];
        const resources = dump.streams.flatMap((s) => s.resources[xdsType] ?? []);
        printData(
          resources.map((r) => r.resource),
          format,
          () => {
            const clusters = dump.streams.flatMap((s) => s.resources.CDS ?? []);
            const { headers, rows } = resourceRows(kind, resources, clusters);
            return rows.length === 0 ? `${nodeId} was sent no ${kind} resources` : renderTable(headers, rows);
          },
        );
      },
    );
}

function normalizeKind(type: string): ResourceKind {
  const singular = type.toLowerCase().replace(/s$/, '');
  const kind = (
    singular === 'endpoint' || singular === 'cluster' || singular === 'route' || singular === 'listener'
      ? singular
      : undefined
  ) as ResourceKind | undefined;
  if (!kind)
    throw new CliError(
      `unknown config type "${type}"`,
      ExitCode.usage,
      `use one of: ${resourceKinds.join(', ')}, secret`,
    );
  return kind;
}

async function resolveClient(admin: AdminClient, prefix: string): Promise<string> {
  return (await resolveClientStatus(admin, prefix)).nodeId;
}

/** The connected client a prefix names, with the status of its newest stream. */
async function resolveClientStatus(
  admin: AdminClient,
  prefix: string,
): Promise<{ nodeId: string; status: ClientStatus | undefined }> {
  const { clients } = await admin.ok<SynczAnswer>('GET', '/debug/syncz');
  const nodeId = pickClient(clients, prefix);
  const status = clients.filter((c) => c.nodeId === nodeId).sort((a, b) => b.streamId - a.streamId)[0];
  return { nodeId, status };
}

function pickClient(clients: readonly ClientStatus[], prefix: string): string {
  const ids = [...new Set(clients.map((c) => c.nodeId))];
  if (ids.includes(prefix)) return prefix;
  const matches = ids.filter((id) => id.startsWith(prefix) || id.includes(prefix));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0)
    throw new CliError(
      `no connected xDS client matches "${prefix}"`,
      ExitCode.failure,
      'see `shoal proxy-status`',
    );
  throw new CliError(`"${prefix}" matches ${matches.length} clients: ${matches.join(', ')}`, ExitCode.usage);
}
