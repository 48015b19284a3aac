// gRPC's xDS bootstrap file (gRFC A27; authorities and templates gRFC A47; ignore_resource_deletion
// gRFC A53; tls channel creds gRFC A65; fallback_on_reachability_only gRFC A95), as Istio's grpc-agent writes it. Unknown fields are ignored,
// as gRPC does; known fields of the wrong shape are errors that name the field.
import { readFileSync } from 'node:fs';
import type { JsonObject, JsonValue } from '@bufbuild/protobuf';
import { Code, RpcError } from '@shoal/rpc/client';
import { parseServerUri, type XdsServerAddress } from './client/server-uri.js';
import type { XdsLocality } from './locality.js';

/** Channel credentials to an xDS server: insecure, or TLS with optional files. */
export type XdsChannelCredentials =
  | { readonly type: 'insecure' }
  | {
      readonly type: 'tls';
      readonly caCertificateFile?: string;
      readonly certificateFile?: string;
      readonly privateKeyFile?: string;
      /**
       * Shoal's extension: the client certificate (and, without ca_certificate_file, the roots)
       * from this bootstrap certificate provider instance, e.g. a `shoal_ca` one.
       */
      readonly certificateProviderInstance?: string;
    };

/** An xDS server of the bootstrap: its URI, credentials and features. */
export interface XdsServerConfig {
  /** As written in the bootstrap, e.g. `unix:///etc/istio/XDS` or `istiod.istio-system.svc:15010`. */
  readonly serverUri: string;
  readonly address: XdsServerAddress;
  /** The first channel_creds entry of a supported type. */
  readonly channelCredentials: XdsChannelCredentials;
  readonly serverFeatures: readonly string[];
  /** `ignore_resource_deletion` server feature (gRFC A53). */
  readonly ignoreResourceDeletion: boolean;
}

/** The Node's locality (`node.locality`, its `sub_zone` read as `subZone`). */
export type XdsNodeLocality = XdsLocality;

/** The node the client announces: id, cluster, locality and metadata. */
export interface XdsNodeConfig {
  readonly id: string;
  readonly cluster: string;
  readonly metadata: JsonObject;
  readonly locality: XdsNodeLocality;
}

/** A certificate provider instance of the bootstrap (`file_watcher`, as Istio's agent writes). */
export interface XdsCertificateProviderConfig {
  readonly pluginName: string;
  readonly config: JsonObject;
}

/** An xDS authority of the bootstrap (gRFC A47): its servers and listener name template. */
export interface XdsAuthority {
  /** Always starts with `xdstp://<authority name>/`. */
  readonly clientListenerResourceNameTemplate: string;
  /** Servers of this authority; empty means the top-level `xds_servers`. */
  readonly xdsServers: readonly XdsServerConfig[];
  /**
   * `fallback_on_reachability_only` (gRFC A95): fall back to the next server whenever the one in use
   * is unreachable, even if every resource is cached (A71 alone falls back only for uncached ones).
   */
  readonly fallbackOnReachabilityOnly: boolean;
}

/**
 * A parsed, validated bootstrap (gRFC A27): xDS servers, node, authorities, certificate providers and
 * listener name templates.
 */
export interface XdsBootstrap {
  readonly xdsServers: readonly XdsServerConfig[];
  /**
   * gRFC A95's `fallback_on_reachability_only` for the top-level servers (Shoal reads it at the top
   * level too): several equal control-plane replicas, any of which may serve.
   */
  readonly fallbackOnReachabilityOnly: boolean;
  readonly node: XdsNodeConfig;
  readonly certificateProviders: Readonly<Record<string, XdsCertificateProviderConfig>>;
  readonly serverListenerResourceNameTemplate?: string;
  /** Default `%s`. */
  readonly clientDefaultListenerResourceNameTemplate: string;
  readonly authorities: Readonly<Record<string, XdsAuthority>>;
}

const SUPPORTED_CREDS = ['insecure', 'tls'];

function fail(source: string, path: string, message: string): never {
  throw new RpcError(
    Code.INVALID_ARGUMENT,
    `xDS bootstrap (${source}): ${path ? `${path}: ` : ''}${message}`,
  );
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Field readers that fail with the field's path; `undefined`/`null` read as absent. */
class Reader {
  constructor(private readonly source: string) {}

  object(v: unknown, path: string): JsonObject | undefined {
    if (v === undefined || v === null) return undefined;
    if (!isObject(v)) fail(this.source, path, `must be an object, got ${describe(v)}`);
    return v;
  }

  string(v: unknown, path: string): string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') fail(this.source, path, `must be a string, got ${describe(v)}`);
    return v;
  }

  array(v: unknown, path: string): readonly JsonValue[] | undefined {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) fail(this.source, path, `must be an array, got ${describe(v)}`);
    return v;
  }

  boolean(v: unknown, path: string): boolean {
    if (v === undefined || v === null) return false;
    if (typeof v !== 'boolean') fail(this.source, path, `must be true or false, got ${describe(v)}`);
    return v;
  }

  strings(v: unknown, path: string): string[] {
    return (this.array(v, path) ?? []).map((s, i) => this.string(s, `${path}[${i}]`) ?? '');
  }

  fail(path: string, message: string): never {
    fail(this.source, path, message);
  }
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  return typeof v === 'string' ? `the string ${JSON.stringify(v)}` : `${typeof v} ${JSON.stringify(v)}`;
}

/**
 * Validates a bootstrap given as parsed JSON. `source` names where it came from in errors
 * (e.g. `GRPC_XDS_BOOTSTRAP=/etc/istio/proxy/grpc-bootstrap.json`). Throws RpcError(INVALID_ARGUMENT).
 */
export function parseBootstrap(json: unknown, source = 'config'): XdsBootstrap {
  const r = new Reader(source);
  const root = r.object(json, '') ?? r.fail('', 'is empty (null)');
  const servers = parseServers(r, root.xds_servers, 'xds_servers');
  if (servers.length === 0) r.fail('xds_servers', 'must list at least one server');
  const template = r.string(
    root.server_listener_resource_name_template,
    'server_listener_resource_name_template',
  );
  const certificateProviders = parseCertificateProviders(r, root.certificate_providers);
  servers.forEach((server, i) => {
    const creds = server.channelCredentials;
    const instance = creds.type === 'tls' ? creds.certificateProviderInstance : undefined;
    if (instance !== undefined && !certificateProviders[instance])
      r.fail(
        `xds_servers[${i}].channel_creds`,
        `certificate_provider_instance ${JSON.stringify(instance)} is not in certificate_providers`,
      );
  });
  return {
    xdsServers: servers,
    fallbackOnReachabilityOnly: r.boolean(
      root.fallback_on_reachability_only,
      'fallback_on_reachability_only',
    ),
    node: parseNode(r, root.node),
    certificateProviders,
    ...(template !== undefined && { serverListenerResourceNameTemplate: template }),
    clientDefaultListenerResourceNameTemplate:
      r.string(
        root.client_default_listener_resource_name_template,
        'client_default_listener_resource_name_template',
      ) ?? '%s',
    authorities: parseAuthorities(r, root.authorities),
  };
}

function parseServers(r: Reader, v: unknown, path: string): XdsServerConfig[] {
  return (r.array(v, path) ?? []).map((entry, i) => {
    const p = `${path}[${i}]`;
    const s = r.object(entry, p) ?? r.fail(p, 'must be an object');
    const serverUri = r.string(s.server_uri, `${p}.server_uri`);
    if (!serverUri) r.fail(`${p}.server_uri`, 'is required');
    let address: XdsServerAddress;
    try {
      address = parseServerUri(serverUri);
    } catch (e) {
      r.fail(`${p}.server_uri`, (e as Error).message);
    }
    const serverFeatures = r.strings(s.server_features, `${p}.server_features`);
    return {
      serverUri,
      address,
      channelCredentials: parseChannelCreds(r, s.channel_creds, `${p}.channel_creds`),
      serverFeatures,
      ignoreResourceDeletion: serverFeatures.includes('ignore_resource_deletion'),
    };
  });
}

function parseChannelCreds(r: Reader, v: unknown, path: string): XdsChannelCredentials {
  const list = r.array(v, path);
  if (!list || list.length === 0) r.fail(path, 'must list at least one credential type');
  const seen: string[] = [];
  for (const [i, entry] of list.entries()) {
    const p = `${path}[${i}]`;
    const creds = r.object(entry, p) ?? r.fail(p, 'must be an object');
    const type = r.string(creds.type, `${p}.type`) ?? r.fail(`${p}.type`, 'is required');
    seen.push(type);
    if (type === 'insecure') return { type };
    if (type === 'tls') {
      const config = r.object(creds.config, `${p}.config`) ?? {};
      const file = (k: string) => r.string(config[k], `${p}.config.${k}`);
      const certificateFile = file('certificate_file');
      const privateKeyFile = file('private_key_file');
      if ((certificateFile === undefined) !== (privateKeyFile === undefined)) {
        r.fail(`${p}.config`, 'certificate_file and private_key_file must be set together');
      }
      const caCertificateFile = file('ca_certificate_file');
      const certificateProviderInstance = file('certificate_provider_instance');
      if (certificateProviderInstance !== undefined && certificateFile !== undefined)
        r.fail(`${p}.config`, 'certificate_provider_instance and certificate_file are alternatives');
      return {
        type,
        ...(caCertificateFile !== undefined && { caCertificateFile }),
        ...(certificateProviderInstance !== undefined && { certificateProviderInstance }),
        ...(certificateFile !== undefined && { certificateFile }),
        ...(privateKeyFile !== undefined && { privateKeyFile }),
      };
    }
  }
  return r.fail(path, `no supported type (got ${seen.join(', ')}; supported: ${SUPPORTED_CREDS.join(', ')})`);
}

function parseNode(r: Reader, v: unknown): XdsNodeConfig {
  const node = r.object(v, 'node') ?? {};
  const locality = r.object(node.locality, 'node.locality') ?? {};
  return {
    id: r.string(node.id, 'node.id') ?? '',
    cluster: r.string(node.cluster, 'node.cluster') ?? '',
    metadata: r.object(node.metadata, 'node.metadata') ?? {},
    locality: {
      region: r.string(locality.region, 'node.locality.region') ?? '',
      zone: r.string(locality.zone, 'node.locality.zone') ?? '',
      subZone: r.string(locality.sub_zone, 'node.locality.sub_zone') ?? '',
    },
  };
}

function parseCertificateProviders(r: Reader, v: unknown): Record<string, XdsCertificateProviderConfig> {
  const out: Record<string, XdsCertificateProviderConfig> = {};
  for (const [name, entry] of Object.entries(r.object(v, 'certificate_providers') ?? {})) {
    const p = `certificate_providers[${JSON.stringify(name)}]`;
    const provider = r.object(entry, p) ?? r.fail(p, 'must be an object');
    const pluginName = r.string(provider.plugin_name, `${p}.plugin_name`);
    if (!pluginName) r.fail(`${p}.plugin_name`, 'is required');
    out[name] = { pluginName, config: r.object(provider.config, `${p}.config`) ?? {} };
  }
  return out;
}

function parseAuthorities(r: Reader, v: unknown): Record<string, XdsAuthority> {
  const out: Record<string, XdsAuthority> = {};
  for (const [name, entry] of Object.entries(r.object(v, 'authorities') ?? {})) {
    const p = `authorities[${JSON.stringify(name)}]`;
    const authority = r.object(entry, p) ?? {};
    const prefix = `xdstp://${name}/`;
    const template =
      r.string(
        authority.client_listener_resource_name_template,
        `${p}.client_listener_resource_name_template`,
      ) ?? `${prefix}envoy.config.listener.v3.Listener/%s`;
    if (!template.startsWith(prefix)) {
      r.fail(`${p}.client_listener_resource_name_template`, `must start with "${prefix}"`);
    }
    out[name] = {
      clientListenerResourceNameTemplate: template,
      xdsServers: parseServers(r, authority.xds_servers, `${p}.xds_servers`),
      fallbackOnReachabilityOnly: r.boolean(
        authority.fallback_on_reachability_only,
        `${p}.fallback_on_reachability_only`,
      ),
    };
  }
  return out;
}

/** Where to read the bootstrap from; the defaults read the process environment. */
export interface LoadBootstrapOptions {
  /** A bootstrap given in code (an object or JSON text); wins over the environment. */
  readonly config?: unknown;
  /** Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Loads the bootstrap: `options.config`, else the file named by `GRPC_XDS_BOOTSTRAP`, else the JSON
 * in `GRPC_XDS_BOOTSTRAP_CONFIG` (gRPC's order). Throws RpcError naming the source and the field.
 */
export function loadBootstrap(options: LoadBootstrapOptions = {}): XdsBootstrap {
  const env = options.env ?? process.env;
  if (options.config !== undefined) {
    return typeof options.config === 'string'
      ? parseBootstrap(parseJson(options.config, 'config'), 'config')
      : parseBootstrap(options.config, 'config');
  }
  const path = env.GRPC_XDS_BOOTSTRAP;
  if (path) {
    const source = `GRPC_XDS_BOOTSTRAP=${path}`;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new RpcError(
        Code.FAILED_PRECONDITION,
        `xDS bootstrap (${source}): cannot read: ${(e as Error).message}`,
      );
    }
    return parseBootstrap(parseJson(text, source), source);
  }
  const inline = env.GRPC_XDS_BOOTSTRAP_CONFIG;
  if (inline)
    return parseBootstrap(parseJson(inline, 'GRPC_XDS_BOOTSTRAP_CONFIG'), 'GRPC_XDS_BOOTSTRAP_CONFIG');
  throw new RpcError(
    Code.FAILED_PRECONDITION,
    'xDS bootstrap: none found; set GRPC_XDS_BOOTSTRAP to a file or GRPC_XDS_BOOTSTRAP_CONFIG to JSON, or pass one in code',
  );
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    return fail(source, '', `not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * The Listener name a client dials for `target` (`host:port`), per gRFC A47: the authority's
 * template for `xds://authority/target`, else client_default_listener_resource_name_template.
 * For xdstp templates the target is percent-encoded (everything but unreserved chars, `/` and `:`).
 */
export function clientListenerResourceName(
  bootstrap: XdsBootstrap,
  target: string,
  authority?: string,
): string {
  let template = bootstrap.clientDefaultListenerResourceNameTemplate;
  if (authority) {
    const a = bootstrap.authorities[authority];
    if (!a)
      throw new RpcError(
        Code.INVALID_ARGUMENT,
        `xDS target: authority "${authority}" is not in the bootstrap`,
      );
    template = a.clientListenerResourceNameTemplate;
  }
  const value = template.startsWith('xdstp:')
    ? encodeURIComponent(target).replace(/%2F/gi, '/').replace(/%3A/gi, ':')
    : target;
  return template.replaceAll('%s', value);
}

/** The Listener name an xDS-enabled server asks for when listening on `ip:port` (gRFC A36). */
export function serverListenerResourceName(bootstrap: XdsBootstrap, ipPort: string): string {
  const template = bootstrap.serverListenerResourceNameTemplate;
  if (template === undefined) {
    throw new RpcError(
      Code.FAILED_PRECONDITION,
      'xDS bootstrap: server_listener_resource_name_template is required for xDS-enabled servers',
    );
  }
  return template.replaceAll('%s', ipPort);
}
