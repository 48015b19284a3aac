// `shoal-xds-interop-server`: gRPC's xDS interop server, with gRPC's flags (see XDS-INTEROP.md).

import { withRegistration } from '@shoal/mesh';
import { createXdsClient, loadBootstrap, parseLocality, type Registration } from '@shoal/xds';
import { TestService } from '../../gen/grpc/testing/test_pb.js';
import { FlagError, flagHelp, parseFlags } from '../flags.js';
import { XdsInteropServer, type XdsMode } from '../xds-interop-server.js';

const specs = {
  port: { type: 'int', default: 8080, min: 0, help: 'test port (TestService); 0 picks a free one' },
  maintenance_port: {
    type: 'int',
    default: 8081,
    min: 0,
    help: 'health, XdsUpdateHealthService and reflection; equal to --port serves all on one port',
  },
  server_id: { type: 'string', default: 'shoal_server', help: 'SimpleResponse.server_id and hostname' },
  hostname: { type: 'string', help: 'hostname reported to clients (default: the server id)' },
  host: { type: 'string', default: '0.0.0.0', help: 'address to bind' },
  secure_mode: {
    type: 'bool',
    default: false,
    help: "apply xDS security (gRFC A29, certificates from the bootstrap's certificate_providers); false: plaintext",
  },
  register_app: {
    type: 'string',
    help: 'xDS mode: register this server as an instance of APP through its xDS node (no WorkloadEntry needed)',
  },
  labels: { type: 'string', default: '', help: 'with --register_app: labels as k=v,k2=v2 (e.g. version=v2)' },
  locality: { type: 'string', default: '', help: 'with --register_app: region/zone[/subzone]' },
  xds_server_mode: {
    type: 'bool',
    help: 'xDS-enabled test port (default: on when --port differs from --maintenance_port and GRPC_XDS_BOOTSTRAP(_CONFIG) is set)',
  },
  help: { type: 'bool', default: false, help: 'print this help' },
} as const;

async function main(): Promise<number> {
  let flags: ReturnType<typeof parseFlags<typeof specs>>;
  try {
    flags = parseFlags(specs, process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    console.error(`shoal-xds-interop-server: ${err.message}\n${flagHelp(specs)}`);
    return 2;
  }
  if (flags.help) {
    console.log(`usage: shoal-xds-interop-server [flags]\n${flagHelp(specs)}`);
    return 0;
  }
  const xdsMode =
    flags.xds_server_mode ??
    (flags.port !== flags.maintenance_port &&
      (process.env.GRPC_XDS_BOOTSTRAP !== undefined || process.env.GRPC_XDS_BOOTSTRAP_CONFIG !== undefined));
  let xds: XdsMode | undefined;
  try {
    const registration = registrationFlags(flags);
    if (registration && !xdsMode) throw new FlagError('--register_app needs xDS server mode');
    if (xdsMode) {
      const bootstrap = loadBootstrap();
      xds = {
        bootstrap,
        client: (port) =>
          createXdsClient({
            bootstrap: registration ? withRegistration(bootstrap, { ...registration, port }) : bootstrap,
          }),
      };
    }
  } catch (err) {
    const why =
      err instanceof FlagError ? err.message : `xDS server mode needs a bootstrap: ${(err as Error).message}`;
    console.error(`shoal-xds-interop-server: ${why}`);
    return 2;
  }
  const server = new XdsInteropServer({
    port: flags.port,
    maintenancePort: flags.maintenance_port,
    serverId: flags.server_id,
    host: flags.host,
    ...(flags.hostname ? { hostname: flags.hostname } : {}),
    secureMode: flags.secure_mode,
    ...(xds
      ? {
          xds,
          onServingStatus: (serving: boolean, reason: string) =>
            console.log(`shoal-xds-interop-server: ${serving ? 'serving' : 'not serving'} (${reason})`),
        }
      : {}),
  });
  let bound: Awaited<ReturnType<XdsInteropServer['start']>>;
  try {
    bound = await server.start();
  } catch (err) {
    console.error(`shoal-xds-interop-server: cannot start: ${(err as Error).message}`);
    await server.close(0);
    return 1;
  }
  console.log(
    `shoal-xds-interop-server: server_id=${flags.server_id} port=${bound.port} maintenance_port=${bound.maintenancePort} xds_server_mode=${xds !== undefined}${flags.register_app ? ` register_app=${flags.register_app}` : ''}`,
  );
  await untilSignal();
  await server.close();
  return 0;
}

/** Self-registration from --register_app, --labels and --locality (port filled in once bound). */
function registrationFlags(flags: {
  register_app?: string | undefined;
  labels: string;
  locality: string;
  host: string;
}): Omit<Registration, 'port'> | undefined {
  if (!flags.register_app) {
    if (flags.labels || flags.locality) throw new FlagError('--labels and --locality need --register_app');
    return undefined;
  }
  const labels: Record<string, string> = {};
  for (const [i, pair] of flags.labels.split(',').filter(Boolean).entries()) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new FlagError(`--labels[${i}] "${pair}": expected key=value`);
    labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return {
    app: flags.register_app,
    services: [TestService],
    labels,
    ...(flags.locality ? { locality: parseLocality(flags.locality) } : {}),
    ...(flags.host !== '0.0.0.0' && flags.host !== '::' ? { instanceIps: [flags.host] } : {}),
  };
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

process.exitCode = await main();
