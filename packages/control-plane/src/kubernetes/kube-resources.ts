// The Kubernetes resources Shoal reads, and how to list and watch each through
// @kubernetes/client-node: the typed core and discovery APIs, the custom-objects API for CRDs.
// Kubernetes API conventions: list then watch from the list's resourceVersion; a watch that answers
// 410 Gone (or an ERROR event with code 410) means "list again"; BOOKMARK events only move the
// resourceVersion on (requested with allowWatchBookmarks=true).

import {
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  makeInformer,
  type ObjectCache,
} from '@kubernetes/client-node';

export interface KubeResource {
  /** '' for the core group. */
  group: string;
  version: string;
  plural: string;
  kind: string;
}

export const SERVICES: KubeResource = { group: '', version: 'v1', plural: 'services', kind: 'Service' };
export const PODS: KubeResource = { group: '', version: 'v1', plural: 'pods', kind: 'Pod' };
export const ENDPOINT_SLICES: KubeResource = {
  group: 'discovery.k8s.io',
  version: 'v1',
  plural: 'endpointslices',
  kind: 'EndpointSlice',
};

/** The API path of a resource, in one namespace or in all. */
export function resourcePath(r: KubeResource, namespace?: string): string {
  const base = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  return namespace
    ? `${base}/namespaces/${encodeURIComponent(namespace)}/${r.plural}`
    : `${base}/${r.plural}`;
}

type AnyList = KubernetesListObject<KubernetesObject>;

function lister(kc: KubeConfig, r: KubeResource, namespace?: string): () => Promise<AnyList> {
  const ns = namespace ? { namespace } : undefined;
  if (r === SERVICES) {
    const api = kc.makeApiClient(CoreV1Api);
    return () => (ns ? api.listNamespacedService(ns) : api.listServiceForAllNamespaces()) as Promise<AnyList>;
  }
  if (r === PODS) {
    const api = kc.makeApiClient(CoreV1Api);
    return () => (ns ? api.listNamespacedPod(ns) : api.listPodForAllNamespaces()) as Promise<AnyList>;
  }
  if (r === ENDPOINT_SLICES) {
    const api = kc.makeApiClient(DiscoveryV1Api);
    return () =>
      (ns
        ? api.listNamespacedEndpointSlice(ns)
        : api.listEndpointSliceForAllNamespaces()) as Promise<AnyList>;
  }
  const api = kc.makeApiClient(CustomObjectsApi);
  const { group, version, plural } = r;
  return () =>
    (ns
      ? api.listNamespacedCustomObject({ group, version, plural, namespace: ns.namespace })
      : api.listClusterCustomObject({ group, version, plural })) as Promise<AnyList>;
}

export interface InformerHandlers {
  /** An object was added or changed. */
  upsert(obj: KubernetesObject): void;
  delete(obj: KubernetesObject): void;
  /** The informer failed (it is restarted after a second); for logs. */
  error(err: unknown): void;
}

/**
 * An informer per namespace (or one for all), restarted a second after any error it stops on
 * (client-node's ListWatch stops on errors other than 410). Resolves once every first list is in.
 */
export async function startInformers(
  kc: KubeConfig,
  r: KubeResource,
  namespaces: readonly string[],
  handlers: InformerHandlers,
): Promise<RunningInformers> {
  const informers = (namespaces.length > 0 ? namespaces : [undefined]).map((ns) => {
    const informer = makeInformer(kc, `${resourcePath(r, ns)}?allowWatchBookmarks=true`, lister(kc, r, ns));
    informer.on('add', (o) => handlers.upsert(withKind(o, r)));
    informer.on('update', (o) => handlers.upsert(withKind(o, r)));
    informer.on('delete', (o) => handlers.delete(withKind(o, r)));
    return informer;
  });
  const running = new RunningInformers(informers, handlers);
  await Promise.all(informers.map((i) => running.startOne(i)));
  return running;
}

export class RunningInformers {
  #closed = false;
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly informers: (Informer<KubernetesObject> & ObjectCache<KubernetesObject>)[],
    private readonly handlers: InformerHandlers,
  ) {
    for (const informer of informers) {
      informer.on('error', (err) => {
        if (this.#closed) return;
        handlers.error(err);
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          if (!this.#closed) void this.startOne(informer);
        }, 1000);
        timer.unref();
        this.#timers.add(timer);
      });
    }
  }

  async startOne(informer: Informer<KubernetesObject>): Promise<void> {
    try {
      await informer.start();
    } catch (err) {
      this.handlers.error(err);
    }
  }

  async stop(): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    await Promise.all(this.informers.map((i) => i.stop()));
  }
}

/** Typed list responses leave out apiVersion and kind on items; watch events keep them. */
function withKind(o: KubernetesObject, r: KubeResource): KubernetesObject {
  return {
    ...o,
    apiVersion: o.apiVersion ?? (r.group === '' ? r.version : `${r.group}/${r.version}`),
    kind: o.kind ?? r.kind,
  };
}
