// gRFC A78's XdsClient instruments on an XdsClient's hooks (@shoal/xds XdsClientOptions.metrics):
// grpc.xds_client.resource_updates_valid/invalid and server_failure as counters, connected and
// resources as gauges read from the client when metrics are collected. grpc.target is the channel
// target the client serves (`#server` for a server's client, as in A78); the resource type is the
// type URL without `type.googleapis.com/`.

import type { Attributes, Counter, Meter, ObservableGauge, ObservableResult } from '@opentelemetry/api';
import type { XdsClientGauges, XdsClientMetrics } from '@shoal/xds/plugins';
import {
  A78,
  GRPC_TARGET,
  XDS_AUTHORITY,
  XDS_CACHE_STATE,
  XDS_RESOURCE_TYPE,
  XDS_SERVER,
} from './instrument-names.js';
import type { SeriesTable } from './series-table.js';

const resourceType = (typeUrl: string) => typeUrl.replace(/^type\.googleapis\.com\//, '');

/** The A78 instruments, shared by every XdsClient of a process. */
export class XdsClientInstruments {
  readonly valid: Counter;
  readonly invalid: Counter;
  readonly failures: Counter;
  private readonly clients = new Map<XdsClientGauges, string>();

  constructor(
    meter: Meter,
    private readonly table: SeriesTable,
  ) {
    const counter = (d: { name: string; unit: string; description: string }) =>
      meter.createCounter(d.name, { unit: d.unit, description: d.description });
    this.valid = counter(A78.resourceUpdatesValid);
    this.invalid = counter(A78.resourceUpdatesInvalid);
    this.failures = counter(A78.serverFailure);
    const gauge = (d: { name: string; unit: string; description: string }): ObservableGauge =>
      meter.createObservableGauge(d.name, { unit: d.unit, description: d.description });
    gauge(A78.connected).addCallback((r) => this.observeConnected(r));
    gauge(A78.resources).addCallback((r) => this.observeResources(r));
  }

  /** The hooks for one XdsClient serving `target`. */
  recorder(target: string): XdsClientMetrics {
    const series = (key: string, labels: () => Attributes) =>
      this.table.series(`xds|${target}|${key}`, labels);
    return {
      resourceUpdates: (server, typeUrl, valid, invalid) => {
        const attrs = series(`u|${server}|${typeUrl}`, () => ({
          [GRPC_TARGET]: target,
          [XDS_SERVER]: server,
          [XDS_RESOURCE_TYPE]: resourceType(typeUrl),
        }));
        if (valid > 0) this.valid.add(valid, attrs);
        if (invalid > 0) this.invalid.add(invalid, attrs);
      },
      serverFailure: (server) => {
        this.failures.add(
          1,
          series(`f|${server}`, () => ({ [GRPC_TARGET]: target, [XDS_SERVER]: server })),
        );
      },
      attach: (client) => {
        this.clients.set(client, target);
        return () => this.clients.delete(client);
      },
    };
  }

  // Gauges are observed rarely (per scrape): full attribute sets are fine here.
  private observeConnected(result: ObservableResult): void {
    for (const [client, target] of this.clients) {
      for (const { server, connected } of client.serverConnections())
        result.observe(connected ? 1 : 0, { [GRPC_TARGET]: target, [XDS_SERVER]: server });
    }
  }

  private observeResources(result: ObservableResult): void {
    for (const [client, target] of this.clients) {
      for (const r of client.resourceCounts()) {
        result.observe(r.count, {
          [GRPC_TARGET]: target,
          [XDS_AUTHORITY]: r.authority,
          [XDS_RESOURCE_TYPE]: resourceType(r.typeUrl),
          [XDS_CACHE_STATE]: r.cacheState,
        });
      }
    }
  }
}
