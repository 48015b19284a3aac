// Registry backends: where the registry's services, endpoints and self-registrations come from,
// besides config. A plug-in point like the store backends: a factory registered under a URL scheme
// on a RegistryBackends instance, chosen by `shoal cp --registry SCHEME://...` (default: the
// store's own registry). The built-in ones are registered in builtin-backends.ts.

import type { DiscoverySource } from '../registry/discovery-source.js';
import type { RegistrationStore } from '../registry/registration-store.js';
import {
  type CreateBackendOptions,
  type Leadership,
  type StoreBackend,
  type StoreHealth,
  schemeOf,
} from './store-backends.js';

/** A registry backend (`--registry`): where registrations live, and what it discovers besides. */
export interface RegistryBackend {
  /** Where self-registrations live. */
  readonly registrations: RegistrationStore;
  /** Services and endpoints it discovers besides config and registrations (Kubernetes, ZooKeeper). */
  readonly sources?: readonly DiscoverySource[];
  /** Absent for state only this process uses (it is always current). */
  readonly health?: StoreHealth;
  /** Absent when there is only ever one control plane on it. */
  readonly leadership?: Leadership;
  /**
   * For a registry the control plane serves without (ZooKeeper not there yet): resolves once it
   * was first read. The control plane waits for it a few seconds, then serves meanwhile.
   */
  ready?(): Promise<void>;
  /** Connects and starts what it runs besides its registrations and sources. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** What a registry backend is made with: a store backend's context, and a way to make one. */
export interface RegistryContext extends CreateBackendOptions {
  /** The `--registry` value as given; the factory parses what follows the scheme. */
  registry: string;
  scheme: string;
  /** The config store's `--store` value and backend (made already). */
  storeUrl: string;
  storeBackend: StoreBackend;
  /** Makes a store backend for `url` (a registry on a store other than the config's). */
  createStore(url: string): StoreBackend;
}

/** Makes a registry backend of one URL scheme. */
export type RegistryBackendFactory = (context: RegistryContext) => RegistryBackend;

/** The registry backends a control plane can use, by URL scheme. Owned by whoever builds control planes. */
export class RegistryBackends {
  private readonly factories = new Map<string, { factory: RegistryBackendFactory; usage: string }>();

  /** Adds a backend for `scheme`; `usage` is how its URL is written, for errors (`etcd://HOST:PORT`). */
  register(scheme: string, usage: string, factory: RegistryBackendFactory): this {
    if (this.factories.has(scheme)) throw new Error(`registry backend "${scheme}" is registered twice`);
    this.factories.set(scheme, { factory, usage });
    return this;
  }

  /** The backend for `registry` (default: the store's own, `context.storeUrl`). */
  create(
    registry: string | undefined,
    context: Omit<RegistryContext, 'registry' | 'scheme'>,
  ): RegistryBackend {
    const text = registry === undefined || registry === '' ? context.storeUrl : registry;
    const scheme = schemeOf(text);
    const entry = scheme === undefined ? undefined : this.factories.get(scheme);
    if (!entry || scheme === undefined) {
      const usages = [...this.factories.values()].map((e) => e.usage);
      const last = usages.pop();
      throw new Error(
        `--registry ${JSON.stringify(text)}: expected ${usages.length > 0 ? `${usages.join(', ')} or ${last}` : last}`,
      );
    }
    return entry.factory({ ...context, registry: text, scheme });
  }
}

/**
 * A registry kept by a store backend (`memory`, `etcd://...`, `kubernetes`): the config store's own
 * when the URL is the store's, else that store's registrations and sources (its config is followed
 * too, unused, so that the store's resyncs have a started watch).
 */
export function storeRegistry(context: RegistryContext): RegistryBackend {
  if (context.registry === context.storeUrl) {
    const { registrations, sources, health, leadership } = context.storeBackend;
    return {
      registrations,
      ...(sources && { sources }),
      ...(health && { health }),
      ...(leadership && { leadership }),
      start: async () => {},
      close: async () => {},
    };
  }
  const other = context.createStore(context.registry);
  return {
    registrations: other.registrations,
    ...(other.sources && { sources: other.sources }),
    ...(other.health && { health: other.health }),
    ...(other.leadership && { leadership: other.leadership }),
    start: async () => {
      await other.start();
      await other.config.start();
    },
    close: async () => {
      await other.config.close();
      await other.close();
    },
  };
}
