// `shoal agent`: Istio's grpc-agent mode for machines without Kubernetes. With a token from
// `shoal token create`, it gets the workload's certificate from Shoal's CA (Istio's CA API),
// writes cert-chain.pem, key.pem and root-cert.pem into --cert-dir and a gRPC bootstrap whose
// `default` certificate provider watches them, and renews the certificate at half its lifetime
// until stopped, so apps in any language (grpc-go, grpc-java, grpc-js-xds) join the secure mesh.
// Renewals keep the key for --key-lifetime: grpc-js reads the files without checking that the
// pair matches, so only a key change can hand it a mismatched pair (see agent/cert-files.ts).

import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { agentBootstrap } from '../agent/agent-bootstrap.js';
import { writeCertFiles } from '../agent/cert-files.js';
import { CliError, ExitCode } from '../cli-error.js';
import { parseDuration } from '../duration.js';

interface AgentFlags {
  identity: string;
  tokenFile: string;
  bootstrapOut: string;
  certDir: string;
  xdsAddress: string;
  labels?: string;
  rootCert?: string;
  name?: string;
  ip: string;
  certLifetime: string;
  keyLifetime: string;
}

function parseLabels(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (text ?? '').split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`--labels: "${pair}" is not key=value`, ExitCode.usage);
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description(
      "Istio's grpc-agent without Kubernetes: certificates and a gRPC bootstrap for an app in any language",
    )
    .requiredOption('--identity <ns/sa>', 'the namespace and service account the token was made for')
    .requiredOption('--token-file <file>', 'the token from `shoal token create`')
    .requiredOption('--bootstrap-out <file>', 'where to write the gRPC xDS bootstrap (GRPC_XDS_BOOTSTRAP)')
    .requiredOption('--cert-dir <dir>', 'where to keep cert-chain.pem, key.pem and root-cert.pem')
    .option('--xds-address <host:port>', 'the control plane (xDS and CA)', '127.0.0.1:15010')
    .option(
      '--labels <k=v,...>',
      "the workload's labels (for PeerAuthentication and AuthorizationPolicy selectors)",
    )
    .option(
      '--root-cert <file>',
      'the mesh root (`shoal ca root`) to verify the CA with; without it the CA is asked in plaintext',
    )
    .option('--name <name>', "the workload's name in the node id (default: this host's name)")
    .option('--ip <ip>', "the workload's IP (node id and INSTANCE_IPS)", '127.0.0.1')
    .option('--cert-lifetime <duration>', 'lifetime to ask for', '24h')
    .option(
      '--key-lifetime <duration>',
      'keep one key over renewals this long (grpc-js does not check that a key and certificate it reads match)',
      '24h',
    )
    .action(async (flags: AgentFlags) => {
      const [namespace, serviceAccount, extra] = flags.identity.split('/');
      if (!namespace || !serviceAccount || extra !== undefined)
        throw new CliError(
          `--identity must be NAMESPACE/SERVICE_ACCOUNT, got "${flags.identity}"`,
          ExitCode.usage,
        );
      const labels = parseLabels(flags.labels);
      const lifetimeSeconds = parseDuration(flags.certLifetime, '--cert-lifetime') / 1000;
      const keyLifetimeSeconds = parseDuration(flags.keyLifetime, '--key-lifetime') / 1000;
      const certDir = resolve(flags.certDir);
      const write = (line: string) => process.stdout.write(`shoal agent: ${line}\n`);
      const { parseBootstrap } = await import('@shoal/xds/client');
      const { parseShoalCaConfig, parseSpiffeId, ShoalCaProvider } = await import('@shoal/xds/plugins');
      const base = { xdsAddress: flags.xdsAddress, certDir, namespace, serviceAccount, labels };
      const node = { name: flags.name ?? hostname(), ip: flags.ip };
      const forCa = parseBootstrap(
        agentBootstrap({ ...base, ...node, refreshIntervalSeconds: 900 }),
        'agent',
      );
      const provider = new ShoalCaProvider('default', {
        ...parseShoalCaConfig(
          {
            server_uri: flags.xdsAddress,
            ...(flags.rootCert && { ca_certificate_file: resolve(flags.rootCert) }),
            token_file: resolve(flags.tokenFile),
            certificate_lifetime: `${lifetimeSeconds}s`,
          },
          forCa,
          'shoal agent',
        ),
        keyLifetimeSeconds,
      });
      if (!flags.rootCert)
        write('the CA is asked in plaintext: pass --root-cert (from `shoal ca root`) to verify it');
      try {
        const first = await provider.ready(30_000);
        const id = parseSpiffeId(first.identity?.uriSans[0] ?? '');
        if (id?.namespace !== namespace || id.serviceAccount !== serviceAccount)
          throw new CliError(
            `the token is for ${first.identity?.uriSans[0] ?? 'another identity'}, not ${namespace}/${serviceAccount}`,
          );
        writeCertFiles(certDir, first);
        // file_watcher readers poll: often enough to see a renewal well before the old one expires.
        const refreshIntervalSeconds = Math.max(1, Math.min(900, Math.floor(lifetimeSeconds / 10)));
        writeFileSync(
          flags.bootstrapOut,
          `${JSON.stringify(agentBootstrap({ ...base, ...node, refreshIntervalSeconds }), null, 2)}\n`,
        );
        const describe = (m: typeof first) =>
          `${m.identity!.uriSans[0]}, serial ${m.identity!.serialNumber}, until ${m.identity!.notAfter.toISOString()}`;
        write(`wrote ${resolve(flags.bootstrapOut)}; certificates in ${certDir} (${describe(first)})`);
        provider.watch((m) => {
          writeCertFiles(certDir, m);
          write(`renewed: ${describe(m)}`);
        });
        // The provider's renewal timer does not hold a process open (it is a library's); the agent is
        // a daemon, so this does, until a signal stops it.
        const keepAlive = setInterval(() => {}, 3_600_000);
        await new Promise<void>((done) => {
          for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => done());
        });
        clearInterval(keepAlive);
        write('stopped');
      } catch (err) {
        if (err instanceof CliError) throw err;
        throw new CliError(`no certificate from the CA at ${flags.xdsAddress}: ${(err as Error).message}`);
      } finally {
        provider.close();
      }
    });
}
