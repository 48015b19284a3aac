// gRPC xDS interop client, written with Shoal: sends EmptyCall/UnaryCall to a target at a steady
// QPS over num_channels channels (round robin per tick), counts the backend of each call (the
// server's `hostname`), and serves LoadBalancerStatsService and XdsUpdateClientConfigureService
// on the stats port so a test driver can read the distribution and change what is sent.

import { MeshTransport } from '@shoal/mesh';
import {
  type Client,
  Code,
  createClient,
  createServer,
  GrpcTransport,
  type Metadata,
  RpcError,
  type Server,
  type Transport,
} from '@shoal/rpc';
import { registerCsds, type XdsClient } from '@shoal/xds';
import {
  LoadBalancerStatsService,
  TestService,
  XdsUpdateClientConfigureService,
} from '../gen/grpc/testing/test_pb.js';
import { AccumulatedStats } from './accumulated-stats.js';
import { type ClientConfig, configFromRequest, type RpcType } from './client-config.js';
import { type QpsSchedule, startQpsSchedule } from './qps-schedule.js';
import { StatsWatchers } from './stats-watchers.js';
import { HOSTNAME_HEADER } from './test-service-impl.js';

export interface XdsInteropClientOptions {
  /** `host:port`, or a mesh target when `channel` builds mesh transports. */
  readonly server: string;
  /** Port of the stats and configure services (0 picks a free one). */
  readonly statsPort: number;
  readonly qps: number;
  readonly numChannels?: number;
  /** What to send at start; Configure replaces it. */
  readonly config: ClientConfig;
  /** --rpc_timeout_sec: the deadline a Configure with timeout_sec 0 falls back to. */
  readonly defaultTimeoutSec: number;
  /**
   * For `xds:` targets: the xDS client the channels share (each channel is its own mesh
   * transport, as each gRPC channel has its own xDS resolver). CSDS joins the stats port. The
   * interop client closes it.
   */
  readonly xds?: XdsClient;
  /**
   * gRPC's --secure_mode: apply the clusters' UpstreamTlsContext (XdsChannelCredentials, gRFC
   * A29). Default false: plaintext, as gRPC's interop client with insecure credentials.
   */
  readonly secureMode?: boolean;
  /** Address the stats server binds (default 127.0.0.1). */
  readonly host?: string;
  /** Print each response (--print_response). */
  readonly printResponse?: boolean;
  /** Called once if a call fails after some call has succeeded (--fail_on_failed_rpc). */
  readonly onFailedRpc?: (type: RpcType, error: RpcError) => void;
  readonly log?: (line: string) => void;
}

export class XdsInteropClient {
  private config: ClientConfig;
  private readonly watchers = new StatsWatchers();
  private readonly accumulated = new AccumulatedStats();
  private readonly channels: Client<typeof TestService>[] = [];
  private readonly transports: Transport[] = [];
  private readonly inFlight = new Set<AbortController>();
  private statsServer: Server | undefined;
  private schedule: QpsSchedule | undefined;
  private nextChannel = 0;
  private succeededOnce = false;
  private reportedFailure = false;

  constructor(private readonly options: XdsInteropClientOptions) {
    this.config = options.config;
    const count = options.numChannels ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`num_channels must be ≥ 1, got ${count}`);
    if (!(options.qps > 0)) throw new RangeError(`qps must be positive, got ${options.qps}`);
  }

  /** The config in force (after any Configure call). */
  get currentConfig(): ClientConfig {
    return this.config;
  }

  /** Starts the stats server, then the calls; resolves with the stats port. */
  async start(): Promise<{ statsPort: number }> {
    const stats = createServer({ standardServices: true });
    stats.register(LoadBalancerStatsService, {
      getClientStats: (request, context) =>
        this.watchers.watch(request.numRpcs, request.timeoutSec * 1000, request.metadataKeys, context.signal),
      getClientAccumulatedStats: () => this.accumulated.response(),
    });
    stats.register(XdsUpdateClientConfigureService, {
      configure: (request) => {
        try {
          this.config = configFromRequest(request, this.options.defaultTimeoutSec);
        } catch (err) {
          throw new RpcError(Code.INVALID_ARGUMENT, (err as Error).message);
        }
        this.options.log?.(`configured: ${describeConfig(this.config)}`);
        return {};
      },
    });
    if (this.options.xds) registerCsds(stats, this.options.xds);
    this.statsServer = stats;
    const { port } = await stats.listen(this.options.statsPort, this.options.host ?? '127.0.0.1');
    const count = this.options.numChannels ?? 1;
    for (let i = 0; i < count; i++) {
      const { server, xds } = this.options;
      const transport = xds
        ? new MeshTransport({
            xds,
            target: server,
            bootstrap: xds.bootstrap,
            xdsCredentials: this.options.secureMode ?? false,
          })
        : new GrpcTransport({ address: server });
      this.transports.push(transport);
      this.channels.push(createClient(TestService, transport));
    }
    this.schedule = startQpsSchedule(this.options.qps, () => this.tick());
    return { statsPort: port };
  }

  /** Stops sending, cancels calls in flight, closes channels and the stats server. */
  async close(): Promise<void> {
    this.schedule?.stop();
    this.schedule = undefined;
    for (const controller of this.inFlight) controller.abort();
    for (const transport of this.transports.splice(0)) transport.close();
    this.channels.length = 0;
    await this.statsServer?.close(500);
    this.statsServer = undefined;
    await this.options.xds?.close();
  }

  private tick(): void {
    const channel = this.channels[this.nextChannel];
    this.nextChannel = (this.nextChannel + 1) % this.channels.length;
    if (!channel) return;
    for (const type of this.config.types) void this.send(channel, type, this.config);
  }

  private async send(
    channel: Client<typeof TestService>,
    type: RpcType,
    config: ClientConfig,
  ): Promise<void> {
    const watchers = this.watchers.claim();
    this.accumulated.started(type);
    const controller = new AbortController();
    this.inFlight.add(controller);
    let header: Metadata | undefined;
    let trailer: Metadata | undefined;
    const options = {
      timeoutMs: config.timeoutSec * 1000,
      headers: Object.fromEntries(groupPairs(config.metadata.get(type) ?? [])),
      signal: controller.signal,
      onHeader: (h: Metadata) => (header = h),
      onTrailer: (t: Metadata) => (trailer = t),
    };
    try {
      let peer: string;
      if (type === 'UnaryCall') {
        const response = await channel.unaryCall({ fillServerId: true }, options);
        peer = response.hostname;
      } else {
        await channel.emptyCall({}, options);
        peer = header?.getString(HOSTNAME_HEADER) ?? '';
      }
      this.succeededOnce = true;
      this.accumulated.ended(type, Code.OK);
      for (const w of watchers) w.record({ type, peer, header, trailer });
      if (this.options.printResponse) this.options.log?.(`${type}: ok from ${peer}`);
    } catch (err) {
      const error = RpcError.from(err);
      this.accumulated.ended(type, error.code);
      for (const w of watchers) w.record({ type, peer: undefined });
      if (this.options.printResponse) this.options.log?.(`${type}: failed: ${error.message}`);
      if (this.succeededOnce && !this.reportedFailure && this.options.onFailedRpc) {
        this.reportedFailure = true;
        this.options.onFailedRpc(type, error);
      }
    } finally {
      this.inFlight.delete(controller);
    }
  }
}

function groupPairs(pairs: readonly (readonly [string, string])[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [key, value] of pairs) out.set(key, [...(out.get(key) ?? []), value]);
  return out;
}

export function describeConfig(config: ClientConfig): string {
  const md = [...config.metadata].flatMap(([type, pairs]) => pairs.map(([k, v]) => `${type}:${k}:${v}`));
  return `rpc=${config.types.join(',') || '(none)'} metadata=${md.join(',') || '(none)'} timeout=${config.timeoutSec}s`;
}
