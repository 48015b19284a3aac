// gRFC A29's certificate provider registry and store: plug-in factories by name (file_watcher,
// shoal_ca; others with register()), and the bootstrap's `certificate_providers` instances,
// each made on first use and shared by every consumer of this store until it is closed.
// One store per XdsClient (its bootstrap): no process-wide state.

import type { JsonObject } from '@bufbuild/protobuf';
import { Code, RpcError } from '@shoal/rpc/client';
import type { XdsBootstrap } from '../bootstrap.js';
import type { CertificateProvider } from './certificate-provider.js';
import { FILE_WATCHER_PLUGIN, FileWatcherProvider, parseFileWatcherConfig } from './file-watcher-provider.js';
import { parseShoalCaConfig, SHOAL_CA_PLUGIN, ShoalCaProvider } from './shoal-ca-provider.js';

export interface CertificateProviderContext {
  readonly bootstrap: XdsBootstrap;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Makes a provider instance from its bootstrap config; throws naming what is wrong. */
export type CertificateProviderFactory = (
  instanceName: string,
  config: JsonObject,
  context: CertificateProviderContext,
  where: string,
) => CertificateProvider;

export class CertificateProviderRegistry {
  readonly #factories = new Map<string, CertificateProviderFactory>();

  register(pluginName: string, factory: CertificateProviderFactory): this {
    this.#factories.set(pluginName, factory);
    return this;
  }

  get(pluginName: string): CertificateProviderFactory | undefined {
    return this.#factories.get(pluginName);
  }

  get names(): string[] {
    return [...this.#factories.keys()];
  }
}

/** The plug-ins every Shoal process has: gRPC's file_watcher and Shoal's own CA client. */
export function createDefaultCertificateProviderRegistry(): CertificateProviderRegistry {
  return new CertificateProviderRegistry()
    .register(
      FILE_WATCHER_PLUGIN,
      (name, config, _ctx, where) => new FileWatcherProvider(name, parseFileWatcherConfig(config, where)),
    )
    .register(
      SHOAL_CA_PLUGIN,
      (name, config, ctx, where) =>
        new ShoalCaProvider(name, parseShoalCaConfig(config, ctx.bootstrap, where), ctx.env),
    );
}

export interface CertificateProvidersOptions {
  readonly registry?: CertificateProviderRegistry;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The instances of one bootstrap. */
export class CertificateProviders {
  readonly #bootstrap: XdsBootstrap;
  readonly #registry: CertificateProviderRegistry;
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #instances = new Map<string, CertificateProvider>();
  #closed = false;

  constructor(bootstrap: XdsBootstrap, options: CertificateProvidersOptions = {}) {
    this.#bootstrap = bootstrap;
    this.#registry = options.registry ?? createDefaultCertificateProviderRegistry();
    this.#env = options.env ?? process.env;
  }

  /** The names the bootstrap defines. */
  get instanceNames(): string[] {
    return Object.keys(this.#bootstrap.certificateProviders);
  }

  /** The started instances. */
  get started(): CertificateProvider[] {
    return [...this.#instances.values()];
  }

  /** The instance, made on first use. Throws FAILED_PRECONDITION saying what is missing. */
  get(instanceName: string): CertificateProvider {
    const existing = this.#instances.get(instanceName);
    if (existing) return existing;
    if (this.#closed) throw new RpcError(Code.FAILED_PRECONDITION, 'certificate providers are closed');
    const entry = this.#bootstrap.certificateProviders[instanceName];
    if (!entry)
      throw new RpcError(
        Code.FAILED_PRECONDITION,
        `certificate provider instance ${JSON.stringify(instanceName)} is not in the bootstrap's certificate_providers${this.instanceNames.length ? ` (it has ${this.instanceNames.join(', ')})` : ' (it has none)'}`,
      );
    const factory = this.#registry.get(entry.pluginName);
    const where = `certificate_providers[${JSON.stringify(instanceName)}].config`;
    if (!factory)
      throw new RpcError(
        Code.FAILED_PRECONDITION,
        `certificate provider instance ${JSON.stringify(instanceName)}: unknown plugin_name ${JSON.stringify(entry.pluginName)} (known: ${this.#registry.names.join(', ')})`,
      );
    let provider: CertificateProvider;
    try {
      provider = factory(instanceName, entry.config, { bootstrap: this.#bootstrap, env: this.#env }, where);
    } catch (err) {
      throw new RpcError(Code.FAILED_PRECONDITION, (err as Error).message);
    }
    this.#instances.set(instanceName, provider);
    return provider;
  }

  close(): void {
    this.#closed = true;
    for (const p of this.#instances.values()) p.close();
    this.#instances.clear();
  }
}
