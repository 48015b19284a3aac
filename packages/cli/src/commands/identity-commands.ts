// `shoal token create|list|revoke` and `shoal ca root`: the CA's tokens and root, over the admin
// API (token creation and revocation are writes: they need the admin token).

import type {
  CaRootAnswer,
  TokenCreatedAnswer,
  TokenListAnswer,
  TokenRevokedAnswer,
} from '@shoal/control-plane/admin-api';
import type { Command } from 'commander';
import { adminClientFor, withAdminOptions } from '../admin-client.js';
import { parseOutputFormat, printData } from '../output/print.js';
import { renderTable } from '../output/table.js';

interface AdminFlags {
  admin: string;
  dataDir?: string;
  output?: string;
}

export function registerIdentityCommands(program: Command): void {
  const token = program
    .command('token')
    .description("tokens that let a workload get its certificate from the CA (Istio's VM onboarding)");
  withAdminOptions(token.command('create'))
    .description('create a token for one namespace and service account; prints it once')
    .requiredOption('-n, --namespace <ns>', 'the namespace the token grants')
    .requiredOption('--service-account <sa>', 'the service account the token grants')
    .option('--ttl <duration>', 'how long the token is valid, e.g. 720h (default: until revoked)')
    .option('-o, --output <format>', 'json or yaml')
    .action(async (flags: AdminFlags & { namespace: string; serviceAccount: string; ttl?: string }) => {
      const format = parseOutputFormat(flags.output);
      const answer = await adminClientFor(flags).ok<TokenCreatedAnswer>(
        'POST',
        '/api/tokens',
        JSON.stringify({
          namespace: flags.namespace,
          serviceAccount: flags.serviceAccount,
          ...(flags.ttl !== undefined && { ttl: flags.ttl }),
        }),
      );
      printData({ token: answer.token }, format, () => answer.token);
    });
  withAdminOptions(token.command('list'))
    .description('list tokens (never their secret)')
    .option('-o, --output <format>', 'json or yaml')
    .action(async (flags: AdminFlags) => {
      const format = parseOutputFormat(flags.output);
      const { items } = await adminClientFor(flags).ok<TokenListAnswer>('GET', '/api/tokens');
      printData({ items }, format, () =>
        renderTable(
          ['ID', 'NAMESPACE', 'SERVICE ACCOUNT', 'CREATED', 'EXPIRES'],
          items.map((t) => [t.id, t.namespace, t.serviceAccount, t.createdAt, t.expiresAt ?? 'never']),
        ),
      );
    });
  withAdminOptions(token.command('revoke'))
    .description('revoke a token: the CA refuses it from now on')
    .argument('<id>', 'the ID `shoal token list` shows')
    .action(async (id: string, flags: AdminFlags) => {
      await adminClientFor(flags).ok<TokenRevokedAnswer>('DELETE', `/api/tokens/${encodeURIComponent(id)}`);
      process.stdout.write(`token ${id} revoked\n`);
    });

  const ca = program.command('ca').description("the control plane's certificate authority");
  withAdminOptions(ca.command('root'))
    .description('print the root certificate (PEM) workloads verify each other with')
    .option('-o, --output <format>', 'json or yaml (with serial, validity and trust domain)')
    .action(async (flags: AdminFlags) => {
      const format = parseOutputFormat(flags.output);
      const root = await adminClientFor(flags).ok<CaRootAnswer>('GET', '/api/ca/root');
      printData(root, format, () => root.root.trimEnd());
    });
}
