// `shoal instance list|disable|enable`: every endpoint with the health clients are sent, and
// taking one out of service by hand (Dubbo's "temporarily kick out an instance"), for a while or
// until it is enabled again, over the control plane's admin API (ADMIN-API.md, "Instances").

import type {
  DisableRequest,
  InstanceChange,
  InstanceList,
  InstanceView,
} from '@shoal/control-plane/admin-api';
import type { Command } from 'commander';
import { AdminClient, defaultAdminAddress } from '../admin-client.js';
import { parseDuration } from '../duration.js';
import { parseOutputFormat, printData } from '../output/print.js';
import { renderTable } from '../output/table.js';

interface Flags {
  admin: string;
  output?: string;
}

/** Why an instance is out of service (by hand, or a rule such as Dubbo's `disabled: true`), and until when. */
function note(i: InstanceView): string {
  if (!i.disabled) return i.health === 'DRAINING' ? 'shutting down' : '';
  const { reason, until, rule } = i.disabled;
  if (rule) return `${reason} in ${rule}`;
  return [reason ? `"${reason}"` : 'disabled', until ? `until ${until}` : 'until enabled'].join(' ');
}

function instanceTable(items: InstanceView[]): string {
  if (items.length === 0) return 'no instances';
  const rows = items.map((i) => [
    i.service,
    i.address,
    i.health,
    Object.entries(i.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',') || '-',
    i.locality ?? '-',
    i.origin,
    note(i),
  ]);
  return renderTable(['SERVICE', 'ADDRESS', 'HEALTH', 'LABELS', 'LOCALITY', 'ORIGIN', 'NOTE'], rows);
}

export function registerInstanceCommands(program: Command): void {
  const instance = program
    .command('instance')
    .description('list instances, and take one out of service by hand or put it back');

  instance
    .command('list')
    .description('every instance of every service, with the health clients are sent')
    .option('--service <host>', 'only this service (its short name or FQDN)')
    .option('--admin <address>', 'control plane admin API', defaultAdminAddress)
    .option('-o, --output <format>', 'json or yaml')
    .action(async (flags: Flags & { service?: string }) => {
      const format = parseOutputFormat(flags.output);
      const query = flags.service ? `?service=${encodeURIComponent(flags.service)}` : '';
      const list = await new AdminClient(flags.admin).ok<InstanceList>('GET', `/api/instances${query}`);
      printData(list, format, () => instanceTable(list.items));
    });

  instance
    .command('disable')
    .description('take an instance out of service: clients send it no new calls')
    .argument('<address>', 'IP:PORT as `shoal instance list` shows it, or an IP for all its ports')
    .option('--for <duration>', 'put it back on its own after this long (30s, 10m, 1h)')
    .option('--reason <text>', 'why, for whoever lists the instances')
    .option('--admin <address>', 'control plane admin API', defaultAdminAddress)
    .option('-o, --output <format>', 'json or yaml')
    .action(async (address: string, flags: Flags & { for?: string; reason?: string }) => {
      const format = parseOutputFormat(flags.output);
      const request: DisableRequest = {
        address,
        ...(flags.for !== undefined ? { for: `${parseDuration(flags.for, '--for')}ms` } : {}),
        ...(flags.reason ? { reason: flags.reason } : {}),
      };
      const change = await new AdminClient(flags.admin).ok<InstanceChange>(
        'POST',
        '/api/instances/disable',
        JSON.stringify(request),
      );
      printData(change, format, () => {
        const until = change.disabled?.until ? `until ${change.disabled.until}` : 'until enabled';
        return `${change.disabled?.address} disabled ${until}\n${instanceTable(change.instances)}`;
      });
    });

  instance
    .command('enable')
    .description('put an instance disabled by hand back in service')
    .argument('<address>', 'the address it was disabled with')
    .option('--admin <address>', 'control plane admin API', defaultAdminAddress)
    .option('-o, --output <format>', 'json or yaml')
    .action(async (address: string, flags: Flags) => {
      const format = parseOutputFormat(flags.output);
      const change = await new AdminClient(flags.admin).ok<InstanceChange>(
        'POST',
        '/api/instances/enable',
        JSON.stringify({ address }),
      );
      printData(
        change,
        format,
        () => `${change.enabled?.address} enabled\n${instanceTable(change.instances)}`,
      );
    });
}
