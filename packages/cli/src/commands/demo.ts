// `shoal demo` (what `npm start` runs): a whole proxyless mesh on localhost. The control plane
// (in this process, default ports, config from @shoal/demo's config/), three greeter providers
// (child processes on 127.0.0.11-13, each registered over xDS with its version and zone), and a
// consumer in zone-a that calls `greet.v1.GreeterService` through the mesh at a steady rate.
// With mutual TLS STRICT (@shoal/demo's tour/mtls-strict.yaml; `--no-mtls` leaves it out):
// every workload gets its certificate from the control plane's CA with a token, registers and
// calls over mTLS. A live table shows calls per second by subset and by zone, and who is who on
// the wire. Ctrl-C stops everything.
// Every process has telemetry on: Istio's and gRPC's metrics at /stats/prometheus on its admin
// port (--metrics-port, on its own IP), listed by the control plane for Prometheus; `--prometheus`
// writes a prometheus.yml for that and says how to run it.
// With --replicas N the control plane runs as N `shoal cp` processes on a shared etcd (--store, or
// a local 3-member etcd the demo starts), and every provider and the consumer list all of them;
// the replicas share one CA and the tokens there, so mTLS STRICT holds with them too.
// `--prometheus-url` makes that Prometheus the console's traffic source.

import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ControlPlane, LocalEtcdCluster } from '@shoal/control-plane';
import { ADMIN_TOKEN_FILE, DataDir, newSecret, resolveDataDir } from '@shoal/control-plane/data-dir';
import type { DemoFiles } from '@shoal/demo';
import { Code, RpcError } from '@shoal/rpc';
import type { Command } from 'commander';
import { CliError, ExitCode } from '../cli-error.js';
import {
  type DemoIdentity,
  demoIdentity,
  replicaIdentity,
  secureBootstrapParts,
} from '../demo/demo-identity.js';
import { demoTraffic } from '../demo/demo-traffic.js';
import { LiveView, renderView } from '../demo/live-view.js';
import { ProcessGroup, type RunningChild } from '../demo/process-group.js';
import { prometheusConfig, prometheusHowTo } from '../demo/prometheus-config.js';
import { sharedFreePort } from '../demo/provider-port.js';
import { type DemoReplica, replicaAdmin, replicaConfigVersion, startReplicas } from '../demo/replica-set.js';
import { TrafficStats } from '../demo/traffic-stats.js';
import { parseDuration } from '../duration.js';
import { parsePort, prometheusUrl, startControlPlane } from './cp.js';

interface DemoFlags {
  xdsPort: string;
  adminPort: string;
  providerPort: string;
  rate: string;
  duration?: string;
  dataDir?: string;
  mtls: boolean;
  metricsPort: string;
  prometheus?: string | boolean;
  replicas: string;
  store?: string;
  prometheusUrl?: string;
}

const providers = [
  { name: 'v1-zone-a', version: 'v1', zone: 'zone-a', ip: '127.0.0.11' },
  { name: 'v1-zone-b', version: 'v1', zone: 'zone-b', ip: '127.0.0.12' },
  { name: 'v2-zone-a', version: 'v2', zone: 'zone-a', ip: '127.0.0.13' },
] as const;

/** A file of @shoal/demo's, relative to here when that is shorter (at the repository root). */
function shortPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.length < path.length ? rel : path;
}

function tryNext(admin: string, files: DemoFiles): string {
  const tour = (name: string) => shortPath(join(files.tour, name));
  const lines: [string, string][] = [
    [`npx shoal apply -f ${tour('canary-20.yaml')}`, '20% of calls to v2 (gray release)'],
    [`npx shoal apply -f ${tour('header-route.yaml')}`, 'x-user: tester → v2, everyone else → v1'],
    [`npx shoal apply -f ${tour('fault.yaml')}`, 'inject UNAVAILABLE and delays'],
    [`npx shoal apply -f ${shortPath(join(files.config, 'greeter.yaml'))}`, 'back to all on v1'],
    ['kill <PID of v1-zone-a>', "zone-a's v1 is gone: v1 fails over to zone-b"],
    ['npx shoal proxy-status', 'every xDS client and its sync state'],
    ['npx shoal top', 'live edges from load reports: calls/s, errors, latency'],
    ['curl http://127.0.0.11:15020/stats/prometheus', "a provider's Istio and gRPC metrics"],
    ['npx shoal proxy-config endpoint demo-consumer', 'what the consumer was sent'],
  ];
  const width = Math.max(...lines.map(([command]) => command.length));
  return [
    `Open the console at http://${admin}/ to watch the traffic, shift weights and read each client's config,`,
    `or try, from another terminal (add --admin ${admin} when the demo runs on other ports):`,
    ...lines.map(([command, what]) => `  ${command.padEnd(width)}  # ${what}`),
    `  npx shoal call greet.v1.GreeterService greet.v1.GreeterService/Greet --bootstrap ${tour('bootstrap.json')} --count 200`,
    `(admin API on http://${admin}; Ctrl-C stops everything.)`,
  ].join('\n');
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'run a proxyless mesh on localhost: control plane, three providers, a consumer, a live table',
    )
    .option('--xds-port <port>', 'control plane ADS port', '15010')
    .option('--admin-port <port>', 'control plane admin API port', '15000')
    .option(
      '--provider-port <port>',
      'the port every provider serves on (each on its own 127.0.0.x; 0: one free on all three)',
      '50051',
    )
    .option('--rate <calls>', 'calls per second the consumer makes', '50')
    .option(
      '--data-dir <dir>',
      "the control plane's state: admin token, CA (default $SHOAL_DATA_DIR or ./.shoal)",
    )
    .option('--duration <duration>', 'stop by itself after this long (default: until Ctrl-C)')
    .option('--no-mtls', 'leave out PeerAuthentication STRICT: plaintext everywhere')
    .option(
      '--metrics-port <port>',
      "every process's admin port for /stats/prometheus (each on its own IP; the consumer on 127.0.0.1)",
      '15020',
    )
    .option('--prometheus [file]', 'write a prometheus.yml that scrapes the mesh (default ./prometheus.yml)')
    .option(
      '--replicas <n>',
      'control-plane replicas, as processes on consecutive ports from --xds-port/--admin-port (0: each picks free ones)',
      '1',
    )
    .option(
      '--store <url>',
      "the replicas' shared store, etcd://HOST:PORT[,...] (default with --replicas: a local etcd the demo starts)",
    )
    .option(
      '--prometheus-url <url>',
      "read the console's traffic graph from the Prometheus at this URL (as shoal cp --prometheus) instead of the consumer's own counts",
    )
    .action(async (flags: DemoFlags) => {
      await runDemo(flags);
    });
}

async function runDemo(flags: DemoFlags): Promise<void> {
  const rate = Number(flags.rate);
  if (!(rate > 0 && rate <= 5000))
    throw new CliError(`--rate must be 1..5000 calls per second`, ExitCode.usage);
  const requestedPort = parsePort(flags.providerPort, '--provider-port');
  const providerPort = requestedPort || (await sharedFreePort(providers.map((p) => p.ip)));
  const replicaCount = Number(flags.replicas);
  if (!(Number.isInteger(replicaCount) && replicaCount >= 1 && replicaCount <= 9))
    throw new CliError(`--replicas must be 1..9`, ExitCode.usage);
  const shared = replicaCount > 1 || flags.store !== undefined;
  const mtls = flags.mtls;
  const dataDir = resolveDataDir(flags.dataDir);
  const events: string[] = [];
  const note = (line: string) => {
    events.push(line);
    if (events.length > 6) events.shift();
  };
  const view = new LiveView();
  const stats = new TrafficStats(5000);
  // Loaded on use, like the mesh: other verbs need none of it.
  const demo = await import('@shoal/demo');
  const files = demo.demoFiles();
  // A replica's lines are worth seeing in logs: on a terminal they go to the events under the table.
  const group = new ProcessGroup((line) =>
    !process.stdout.isTTY && line.startsWith('[cp-') ? process.stdout.write(`${line}\n`) : note(line),
  );
  const configDir = files.config;
  let cp: ControlPlane | undefined;
  let etcd: LocalEtcdCluster | undefined;
  let replicas: DemoReplica[] = [];
  let replicaAdminToken = '';
  if (!shared) {
    cp = await startControlPlane(
      {
        xdsPort: flags.xdsPort,
        adminPort: flags.adminPort,
        host: '127.0.0.1',
        ...(flags.dataDir !== undefined && { dataDir: flags.dataDir }),
        config: configDir,
        logLevel: 'warn',
        logFormat: 'text',
        ...(flags.prometheusUrl
          ? { prometheus: prometheusUrl(flags.prometheusUrl, '--prometheus-url') }
          : {}),
      },
      (line) =>
        process.stdout.isTTY && !line.startsWith('shoal console:')
          ? note(line)
          : process.stdout.write(`${line}\n`),
      flags.prometheusUrl ? {} : { traffic: demoTraffic(stats, 'demo-consumer', 'greeter') },
    );
  } else {
    let store = flags.store;
    if (store === undefined) {
      const { etcdAvailable, LocalEtcdCluster } = await import('@shoal/control-plane');
      if (!etcdAvailable())
        throw new CliError(
          '--replicas needs a shared store: pass --store etcd://HOST:PORT, or install etcd (Debian: etcd-server) for a local one',
          ExitCode.usage,
        );
      etcd = await LocalEtcdCluster.start(3);
      store = etcd.storeUrl;
      process.stdout.write(`started a local 3-member etcd for the demo: ${store} (removed on exit)\n`);
    }
    // The replicas share the demo's data dir, and its admin token made here before any starts.
    const adminToken = new DataDir(dataDir)
      .ensure()
      .readOrCreate(ADMIN_TOKEN_FILE, () => `${newSecret()}\n`)
      .trim();
    try {
      replicas = await startReplicas(group, {
        count: replicaCount,
        store,
        dataDir,
        xdsPort: parsePort(flags.xdsPort, '--xds-port'),
        adminPort: parsePort(flags.adminPort, '--admin-port'),
        configDir,
      });
    } catch (err) {
      await group.stopAll(1000);
      await etcd?.stop();
      throw new CliError(`the control-plane replicas cannot start: ${(err as Error).message}`);
    }
    replicaAdminToken = adminToken;
    process.stdout.write(
      `${replicaCount} control-plane replicas on ${store}: ${replicas.map((r) => `${r.name} xDS ${r.xds} admin ${r.admin}`).join('; ')}\n`,
    );
  }
  // The ports bound (the flags may say 0: pick free ones).
  const xdsServers = cp ? [`127.0.0.1:${cp.addresses!.xds.port}`] : replicas.map((r) => r.xds);
  const adminAddress = cp ? `127.0.0.1:${cp.addresses!.admin.port}` : replicas[0]!.admin;
  let identity: DemoIdentity;
  try {
    const admin = replicaAdmin(adminAddress, replicaAdminToken);
    identity = cp ? demoIdentity(cp, dataDir) : await replicaIdentity(admin, dataDir);
    await identity.tokenFile('shoal-cli'); // for the tour's bootstrap.json (`shoal call` through the mesh)
    const strict = readFileSync(join(files.tour, 'mtls-strict.yaml'), 'utf8');
    if (mtls) await (cp ? cp.store.apply(strict) : admin('POST', '/api/apply', strict));
  } catch (err) {
    await group.stopAll(1000);
    await cp?.stop(1000);
    await etcd?.stop();
    throw new CliError(`the demo's identities cannot be made: ${(err as Error).message}`);
  }
  const greeterToken = mtls ? await identity.token('greeter') : undefined;
  const { GreeterService } = demo;
  const [{ createMeshClient, meshTransportOf }, { createXdsClient, parseBootstrap }, { createTelemetry }] =
    await Promise.all([import('@shoal/mesh'), import('@shoal/xds'), import('@shoal/telemetry')]);
  const children = new Map<string, RunningChild>();
  const state = new Map<string, string>(providers.map((p) => [p.name, 'starting']));
  let stopping = false;
  let consumer: { close(): void } | undefined;
  let closeTelemetry: (() => Promise<void>) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let redraw: NodeJS.Timeout | undefined;

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    clearInterval(redraw);
    consumer?.close();
    await closeTelemetry?.();
    await group.stopAll(3000);
    await cp?.stop(1000);
    await etcd?.stop();
    process.stdout.write('demo stopped: control plane, providers and consumer are all gone\n');
  };

  try {
    providers.forEach((p, i) => {
      // Each provider prefers another replica, so each replica serves someone.
      const order = xdsServers.map((_, k) => xdsServers[(i + k) % xdsServers.length]!);
      const child = group.start({
        name: p.name,
        args: [
          files.provider,
          `--name=${p.name}`,
          `--version=${p.version}`,
          `--zone=${p.zone}`,
          `--ip=${p.ip}`,
          `--port=${providerPort}`,
          `--xds=${order.join(',')}`,
          `--admin-port=${flags.metricsPort}`,
          ...(greeterToken ? [`--root-cert=${identity.rootFile}`] : []),
        ],
        ...(greeterToken && { env: { SHOAL_TOKEN: greeterToken } }),
        readyPattern: /^serving:/,
      });
      children.set(p.name, child);
      child.process.once('exit', (code, signal) => {
        state.set(p.name, `exited (${signal ?? code})`);
        note(`${p.name} exited (${signal ?? code})`);
      });
      void child.ready.then(() => state.set(p.name, 'serving'));
    });
    await Promise.all([...children.values()].map((c) => c.ready));

    const bootstrap = parseBootstrap({
      ...(mtls
        ? secureBootstrapParts(xdsServers, identity.rootFile, {
            token_file: await identity.tokenFile('demo-consumer'),
          })
        : {
            xds_servers: xdsServers.map((uri) => ({
              server_uri: uri,
              channel_creds: [{ type: 'insecure' }],
              server_features: ['xds_v3'],
            })),
            ...(xdsServers.length > 1 && { fallback_on_reachability_only: true }),
          }),
      node: {
        id: 'demo-consumer',
        locality: { region: 'local', zone: 'zone-a' },
        metadata: { NAMESPACE: 'default', LABELS: { app: 'demo-consumer' } },
      },
    });
    const telemetry = createTelemetry({
      node: bootstrap.node,
      adminPort: Number(flags.metricsPort),
      adminHost: '127.0.0.1',
    });
    closeTelemetry = () => telemetry.close();
    await telemetry.listen();
    const xds = createXdsClient({
      bootstrap: telemetry.announce(bootstrap),
      metrics: telemetry.xdsClientMetrics('greet.v1.GreeterService'),
    });
    let routesVersion = 0;
    const client = createMeshClient(GreeterService, 'greet.v1.GreeterService', {
      xds,
      bootstrap,
      telemetry,
      onConfig: (u) => {
        if (u.kind === 'config') routesVersion = u.config.version;
        else note(`consumer: ${u.message}`);
      },
    });
    consumer = {
      close: () => {
        meshTransportOf(client).close();
        xds.close();
      },
    };

    let inFlight = 0;
    timer = setInterval(() => {
      if (inFlight >= 200) return;
      inFlight++;
      const started = performance.now();
      let cluster: string | undefined;
      client
        .greet({ name: 'demo' }, { timeoutMs: 2000, onDestination: (d) => (cluster = d.cluster) })
        .then((res) => {
          const p = providers.find((x) => x.name === res.servedBy);
          stats.record(
            true,
            performance.now() - started,
            p ? { provider: p.name, version: p.version, zone: p.zone } : {},
          );
        })
        .catch((err) => {
          // The subset of `outbound|port|subset|host`, so a failed call counts against its version.
          const subset = cluster?.split('|')[2];
          stats.record(false, performance.now() - started, subset ? { version: subset } : {});
          const e = RpcError.from(err);
          if (e.code !== Code.CANCELLED || !stopping) note(`call failed: ${e.message}`);
        })
        .finally(() => inFlight--);
    }, 1000 / rate);

    process.stdout.write(`${tryNext(adminAddress, files)}\n\n`);
    if (flags.prometheus !== undefined) {
      const file = typeof flags.prometheus === 'string' ? flags.prometheus : 'prometheus.yml';
      writeFileSync(file, prometheusConfig({ admin: adminAddress }));
      process.stdout.write(`${prometheusHowTo(file)}\n\n`);
    }
    let storeVersion = '';
    redraw = setInterval(() => {
      if (!cp)
        void replicaConfigVersion(replicas).then((v) => {
          storeVersion = v;
        });
      const byProvider = new Map(stats.by('provider').map((r) => [r.group, r.callsPerSecond]));
      const clients = new Map(cp?.ads.clients().map((c) => [c.nodeId, c.transport]));
      const own = xds.certificateProviders.started[0]?.current()?.identity;
      const table = renderView({
        configVersion: `control plane ${cp ? cp.store.version : storeVersion}, consumer routes ${routesVersion}`,
        security: [
          mtls
            ? `mTLS STRICT (PeerAuthentication default in istio-system): plaintext calls are refused${shared ? '; the replicas share one CA in etcd' : ''}`
            : 'plaintext (--no-mtls)',
          `consumer: ${own ? `${own.uriSans[0]}, certificate until ${own.notAfter.toISOString().slice(0, 16).replace('T', ' ')}Z` : 'no certificate'}`,
        ],
        replicas: replicas.map((r) => ({
          name: r.name,
          pid: r.child.process.pid,
          address: r.xds,
          state: r.state,
        })),
        providers: providers.map((p) => {
          const t = clients.get(`greeter-${p.name}`);
          return {
            name: p.name,
            pid: children.get(p.name)?.process.pid,
            address: `${p.ip}:${providerPort}`,
            state: state.get(p.name) ?? '?',
            callsPerSecond: byProvider.get(p.name) ?? 0,
            identity:
              t?.security === 'mTLS'
                ? `${t.identity?.replace(/^spiffe:\/\/[^/]+\//, '')} until ${t.notAfter?.slice(0, 16).replace('T', ' ')}Z`
                : (t?.security ?? '-'),
          };
        }),
        byVersion: stats.by('version'),
        byZone: stats.by('zone'),
      });
      view.draw(
        process.stdout.isTTY
          ? `${table}\n\nrecent events:\n${events.map((e) => `  ${e}`).join('\n')}`
          : table,
      );
    }, 1000);

    await new Promise<void>((resolve) => {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
      if (flags.duration) setTimeout(resolve, parseDuration(flags.duration, '--duration'));
    });
  } finally {
    await stop();
  }
}
