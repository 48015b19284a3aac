// Config in a Kubernetes API server: Istio's CRDs (networking.istio.io, security.istio.io) and
// Gateway API HTTPRoutes bound to a Service (GAMMA, turned into VirtualServices), read through
// informers (list, then watch from the list's resourceVersion; 410 Gone lists again; bookmarks).
// Objects the validator rejects are left out with a warning, as istiod ignores invalid config.
// `shoal apply` writes through the API server as `kubectl apply --server-side` does (field manager
// `shoal`), after validating every document: Kubernetes has no transaction over several objects, so
// they are written one by one, and the apply resolves once the informers have seen them.

import { dirname } from 'node:path';
import {
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { Code, RpcError } from '@shoal/rpc';
import { CONFIG_FILE_ANNOTATION } from '../config/config-file-annotation.js';
import { type AnyConfigObject, type ConfigKind, KIND_VERSIONS, objectKey } from '../config/config-object.js';
import type { ConfigStateOptions, EntryUpdate } from '../config/config-state.js';
import type { ApplyOptions, ApplyResult, ConfigStore } from '../config/config-store.js';
import type { LoadedConfig } from '../config/load-config.js';
import { StateBackedStore } from '../config/state-backed-store.js';
import { virtualServicesFromHttpRoute } from './gamma-http-route.js';
import { type KubeResource, type RunningInformers, startInformers } from './kube-resources.js';

const crd = (group: string, kind: string): KubeResource => ({
  group,
  version: 'v1',
  plural: `${kind.toLowerCase()}s`.replace(/ys$/, 'ies'),
  kind,
});

/** The Istio kinds read from the API server. */
export const ISTIO_RESOURCES: readonly KubeResource[] = [
  crd('networking.istio.io', 'VirtualService'),
  crd('networking.istio.io', 'DestinationRule'),
  crd('networking.istio.io', 'ServiceEntry'),
  crd('networking.istio.io', 'WorkloadEntry'),
  crd('security.istio.io', 'PeerAuthentication'),
  crd('security.istio.io', 'AuthorizationPolicy'),
];
export const HTTP_ROUTES: KubeResource = {
  group: 'gateway.networking.k8s.io',
  version: 'v1',
  plural: 'httproutes',
  kind: 'HTTPRoute',
};

export interface KubernetesConfigStoreOptions extends ConfigStateOptions {
  kubeconfig: KubeConfig;
  /** Namespaces to read; empty means all. */
  namespaces: readonly string[];
  domainSuffix?: string;
  /** Told about objects left out and watch failures. */
  warn?: (message: string, fields?: Record<string, unknown>) => void;
  /** How long an apply waits for the informers to see what it wrote (default 10 s). */
  settleMs?: number;
}

export class KubernetesConfigStore extends StateBackedStore implements ConfigStore {
  readonly description: string;
  readonly #options: KubernetesConfigStoreOptions;
  readonly #api: KubernetesObjectApi;
  readonly #informers: RunningInformers[] = [];
  /** API object (`Kind/ns/name`) → the store keys made from it (an HTTPRoute may make several). */
  readonly #made = new Map<string, string[]>();
  readonly #waiters = new Set<() => void>();
  #version = 0;

  constructor(options: KubernetesConfigStoreOptions) {
    super(options);
    this.#options = options;
    this.#api = KubernetesObjectApi.makeApiClient(options.kubeconfig);
    const server = options.kubeconfig.getCurrentCluster()?.server ?? 'no cluster';
    const ns = options.namespaces.length > 0 ? options.namespaces.join(', ') : 'all namespaces';
    this.description = `Kubernetes API server ${server} (${ns})`;
  }

  async start(): Promise<void> {
    const { kubeconfig, namespaces } = this.#options;
    for (const r of [...ISTIO_RESOURCES, HTTP_ROUTES]) {
      this.#informers.push(
        await startInformers(kubeconfig, r, namespaces, {
          upsert: (o) => this.#received(o, false),
          delete: (o) => this.#received(o, true),
          error: (err) =>
            this.#options.warn?.(`watching ${r.plural} failed; listing again in 1 s`, { error: String(err) }),
        }),
      );
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.#informers.splice(0).map((i) => i.stop()));
  }

  apply(input: string | readonly unknown[], options: ApplyOptions = {}): Promise<ApplyResult> {
    return this.#write(this.state.load(input, options), options.owner ?? 'api', false, options);
  }

  replaceOwned(
    owner: string,
    input: string | readonly unknown[] | LoadedConfig,
    options: ApplyOptions = {},
  ): Promise<ApplyResult> {
    return this.#write(this.state.load(input, options), owner, true, options);
  }

  async delete(kind: ConfigKind, namespace: string, name: string): Promise<boolean> {
    const object = this.state.get(kind, namespace, name);
    if (!object) return false;
    await this.#call(`delete ${objectKey(kind, namespace, name)}`, () =>
      this.#api.delete({ apiVersion: object.apiVersion, kind, metadata: { name, namespace } }),
    );
    await this.#settle(() => !this.state.get(kind, namespace, name));
    return true;
  }

  async #write(
    loaded: LoadedConfig,
    owner: string,
    replace: boolean,
    options: ApplyOptions,
  ): Promise<ApplyResult> {
    const updates = this.state.plan(loaded, owner, replace); // throws ConfigError when invalid
    const staged = this.state.stage(this.state.version + 1, updates);
    const { warnings, skipped } = loaded;
    if (options.dryRun)
      return { version: this.state.versionAfter(staged), changes: staged.changes, warnings, skipped };
    for (const [key, entry] of updates) {
      const [kind, namespace, name] = key.split('/') as [ConfigKind, string, string];
      if (!entry) {
        await this.delete(kind, namespace, name);
        continue;
      }
      const { object } = entry;
      const body: KubernetesObject & { spec: unknown } = {
        apiVersion: KIND_VERSIONS[kind][0] ?? object.apiVersion,
        kind,
        metadata: {
          name,
          namespace,
          ...(object.metadata.labels && { labels: object.metadata.labels }),
          ...(object.metadata.annotations && { annotations: object.metadata.annotations }),
        },
        spec: object.spec,
      };
      await this.#call(`apply ${key}`, () =>
        this.#api.patch(body, undefined, undefined, 'shoal', true, PatchStrategy.ServerSideApply),
      );
    }
    await this.#settle(() =>
      staged.changes.every((c) => {
        const now = this.state.get(c.kind, c.namespace, c.name);
        return c.type === 'deleted' ? !now : JSON.stringify(now?.spec) === JSON.stringify(c.object?.spec);
      }),
    );
    return { version: this.state.version, changes: staged.changes, warnings, skipped };
  }

  /** An object from the API server (or its deletion) into the store. */
  #received(o: KubernetesObject, deleted: boolean): void {
    const apiKey = objectKey(o.kind ?? '', o.metadata?.namespace ?? 'default', o.metadata?.name ?? '');
    const before = this.#made.get(apiKey) ?? [];
    const entries = deleted ? [] : this.#convert(o);
    const updates: EntryUpdate[] = entries.map((e) => [
      objectKey(e.kind, e.metadata.namespace, e.metadata.name),
      { object: e, owner: ownerOf(e) },
    ]);
    const now = new Set(updates.map(([k]) => k));
    for (const key of before) if (!now.has(key)) updates.push([key, undefined]);
    if (now.size > 0) this.#made.set(apiKey, [...now]);
    else this.#made.delete(apiKey);
    this.state.install(++this.#version, updates, 'kubernetes');
    for (const wake of [...this.#waiters]) wake();
  }

  /** Validated store objects for one API object: the object itself, or an HTTPRoute's VirtualServices. */
  #convert(o: KubernetesObject): AnyConfigObject[] {
    const documents: unknown[] = [];
    if (o.kind === 'HTTPRoute') {
      const converted = virtualServicesFromHttpRoute(o as never, this.#options.domainSuffix);
      for (const w of converted.warnings)
        this.#options.warn?.(`HTTPRoute ${o.metadata?.namespace}/${o.metadata?.name}: ${w}`);
      documents.push(...converted.documents);
    } else documents.push(o);
    const out: AnyConfigObject[] = [];
    documents.forEach((doc, index) => {
      const result = this.state.validator.validate(doc, { index, source: 'kubernetes' });
      const errors = result.issues.filter((i) => i.severity === 'error');
      if (!result.object || errors.length > 0) {
        this.#options.warn?.('invalid object in the API server left out', {
          object: `${o.kind}/${o.metadata?.namespace}/${o.metadata?.name}`,
          errors: errors.map((e) => `${e.path}: ${e.message}`),
        });
        return;
      }
      const { generation, creationTimestamp } = o.metadata ?? {};
      out.push({
        ...result.object,
        metadata: {
          ...result.object.metadata,
          ...(typeof generation === 'number' && { generation }),
          ...(creationTimestamp !== undefined && {
            creationTimestamp: new Date(creationTimestamp).toISOString(),
          }),
        },
      } as AnyConfigObject);
    });
    return out;
  }

  /** Waits until `done()` holds after informer events, or the settle time passes. */
  #settle(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(
          new RpcError(
            Code.DEADLINE_EXCEEDED,
            'the API server took the change, but the watch did not show it in time',
          ),
        );
      }, this.#options.settleMs ?? 10_000);
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
    });
  }

  async #call<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      const e = err as { code?: number; body?: unknown; message?: string };
      const body = typeof e.body === 'string' ? e.body : JSON.stringify(e.body ?? '');
      throw new RpcError(
        Code.UNAVAILABLE,
        `Kubernetes API server: ${what} failed: ${e.code ?? ''} ${e.message ?? ''} ${body}`.trim(),
      );
    }
  }
}

/** Objects of a config directory are owned by it (as ConfigDirectorySource names it); the rest by the cluster. */
function ownerOf(o: AnyConfigObject): string {
  const file = o.metadata.annotations?.[CONFIG_FILE_ANNOTATION];
  return file ? `dir:${dirname(file)}` : 'kubernetes';
}
