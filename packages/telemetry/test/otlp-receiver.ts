// An OTLP/HTTP trace receiver for tests: POST /v1/traces with an
// opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest in protobuf, decoded with the
// real OTLP protos (shipped by @opentelemetry/otlp-grpc-exporter-base 0.34) through protobufjs.

import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import protobuf from 'protobufjs';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  status: { code?: number; message?: string };
  serviceName: string;
}

function loadRequestType(): protobuf.Type {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@opentelemetry/otlp-grpc-exporter-base/package.json');
  const protos = join(dirname(pkg), 'build', 'protos');
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(protos, target);
  root.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto', { keepCase: false });
  return root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
}

/** An AnyValue as protobufjs decodes it: `value` names the oneof member that is set. */
type AnyValue = { value?: string } & Record<string, unknown>;

function value(v: AnyValue): unknown {
  const set = v.value;
  if (set === undefined) return undefined;
  const x = v[set];
  return set === 'intValue' ? Number(x) : x;
}

const hex = (b: Uint8Array | undefined) => Buffer.from(b ?? []).toString('hex');

export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly requests: { path: string; contentType: string }[] = [];
  private readonly type = loadRequestType();
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.requests.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '' });
      const message = this.type.decode(Buffer.concat(chunks)) as unknown as {
        resourceSpans: {
          resource: { attributes: { key: string; value: AnyValue }[] };
          scopeSpans: {
            spans: {
              traceId: Uint8Array;
              spanId: Uint8Array;
              parentSpanId: Uint8Array;
              name: string;
              kind: number;
              attributes: { key: string; value: AnyValue }[];
              status?: { code?: number; message?: string };
            }[];
          }[];
        }[];
      };
      for (const rs of message.resourceSpans) {
        const serviceName = String(
          value(rs.resource.attributes.find((a) => a.key === 'service.name')?.value ?? {}) ?? '',
        );
        for (const ss of rs.scopeSpans)
          for (const s of ss.spans)
            this.spans.push({
              traceId: hex(s.traceId),
              spanId: hex(s.spanId),
              parentSpanId: hex(s.parentSpanId),
              name: s.name,
              kind: s.kind,
              attributes: Object.fromEntries(s.attributes.map((a) => [a.key, value(a.value)])),
              status: s.status ?? {},
              serviceName,
            });
      }
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
