// `shoal-xds-interop-client`: gRPC's xDS interop client, with gRPC's flags (see XDS-INTEROP.md).

import { createXdsClient, type XdsClient } from '@shoal/xds';
import { parseMetadataFlag, parseRpcFlag } from '../client-config.js';
import { FlagError, flagHelp, parseFlags } from '../flags.js';
import { describeConfig, XdsInteropClient } from '../xds-interop-client.js';

const specs = {
  server: { type: 'string', default: 'localhost:8080', help: 'target: xds:///host:port or host:port' },
  stats_port: { type: 'int', default: 8081, min: 0, help: 'port of LoadBalancerStatsService and Configure' },
  qps: { type: 'int', default: 1, min: 1, help: 'calls per second (of each --rpc type)' },
  num_channels: { type: 'int', default: 1, min: 1, help: 'channels, used round robin' },
  rpc: { type: 'string', default: 'UnaryCall', help: 'RPC types to send: UnaryCall,EmptyCall' },
  metadata: { type: 'string', default: '', help: 'TYPE:KEY:VALUE,... metadata per RPC type' },
  rpc_timeout_sec: { type: 'int', default: 20, min: 1, help: 'deadline of each call' },
  print_response: { type: 'bool', default: false, help: 'print each response' },
  fail_on_failed_rpc: { type: 'bool', default: false, help: 'exit 1 when a call fails after one succeeded' },
  secure_mode: {
    type: 'bool',
    default: false,
    help: "apply xDS security (gRFC A29, certificates from the bootstrap's certificate_providers); false: plaintext",
  },
  stats_host: { type: 'string', default: '0.0.0.0', help: 'address the stats server binds' },
  help: { type: 'bool', default: false, help: 'print this help' },
} as const;

async function main(): Promise<number> {
  let flags: ReturnType<typeof parseFlags<typeof specs>>;
  let config: ConstructorParameters<typeof XdsInteropClient>[0]['config'];
  try {
    flags = parseFlags(specs, process.argv.slice(2));
    config = {
      types: parseRpcFlag(flags.rpc),
      metadata: parseMetadataFlag(flags.metadata),
      timeoutSec: flags.rpc_timeout_sec,
    };
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    console.error(`shoal-xds-interop-client: ${err.message}\n${flagHelp(specs)}`);
    return 2;
  }
  if (flags.help) {
    console.log(`usage: shoal-xds-interop-client [flags]\n${flagHelp(specs)}`);
    return 0;
  }
  let xds: XdsClient | undefined;
  if (flags.server.startsWith('xds:')) {
    try {
      xds = createXdsClient();
    } catch (err) {
      console.error(
        `shoal-xds-interop-client: ${flags.server} needs an xDS bootstrap: ${(err as Error).message}`,
      );
      return 2;
    }
  }
  let failed = false;
  const client = new XdsInteropClient({
    server: flags.server,
    statsPort: flags.stats_port,
    qps: flags.qps,
    numChannels: flags.num_channels,
    config,
    defaultTimeoutSec: flags.rpc_timeout_sec,
    host: flags.stats_host,
    printResponse: flags.print_response,
    ...(xds ? { xds } : {}),
    secureMode: flags.secure_mode,
    log: (line) => console.log(line),
    ...(flags.fail_on_failed_rpc
      ? {
          onFailedRpc: (type, error) => {
            console.error(
              `shoal-xds-interop-client: ${type} failed after earlier successes: ${error.message}`,
            );
            failed = true;
            process.kill(process.pid, 'SIGTERM');
          },
        }
      : {}),
  });
  let statsPort: number;
  try {
    ({ statsPort } = await client.start());
  } catch (err) {
    console.error(`shoal-xds-interop-client: cannot start: ${(err as Error).message}`);
    await client.close();
    return 1;
  }
  console.log(
    `shoal-xds-interop-client: server=${flags.server} stats_port=${statsPort} ${describeConfig(config)}`,
  );
  await untilSignal();
  await client.close();
  return failed ? 1 : 0;
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

process.exitCode = await main();
