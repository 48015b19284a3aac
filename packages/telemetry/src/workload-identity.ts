// Who this process is, for Istio's standard labels and metadata exchange: read from the xDS Node
// the process sends (its bootstrap), the way Istio's proxies read their own node metadata
// (NAME, NAMESPACE, WORKLOAD_NAME, CLUSTER_ID, LABELS with app, version and the canonical
// service labels; istio/proxy extensions/common/metadata_object.h). Shoal's registration keys
// (SHOAL_APP, SHOAL_LABELS; packages/control-plane/REGISTRATION.md) fill what Istio's keys leave out.

/** A workload as Istio's metrics name it. Empty strings are unknown. */
export interface WorkloadIdentity {
  /** The xDS node id (`x-envoy-peer-metadata-id`). */
  readonly nodeId: string;
  /** The instance (Istio: the pod name). */
  readonly name: string;
  readonly namespace: string;
  /** The workload (Istio: the Deployment), e.g. `reviews-v1`. */
  readonly workload: string;
  /** The `app` label. */
  readonly app: string;
  /** The `version` label. */
  readonly version: string;
  /** `service.istio.io/canonical-name`, else the app, else the workload. */
  readonly canonicalService: string;
  /** `service.istio.io/canonical-revision`, else the version, else `latest`. */
  readonly canonicalRevision: string;
  /** The cluster id (Istio's CLUSTER_ID; `Kubernetes` by default there). */
  readonly cluster: string;
  /** The host this workload serves as, e.g. `greeter.default.svc.cluster.local` ('' for a pure client). */
  readonly serviceHost: string;
  /** All labels, as sent in metadata exchange. */
  readonly labels: Readonly<Record<string, string>>;
}

/** The parts of an xDS node that say who a process is. */
export interface NodeLike {
  readonly id: string;
  readonly metadata?: Readonly<Record<string, unknown>> | undefined;
}

const CANONICAL_NAME = 'service.istio.io/canonical-name';
const CANONICAL_REVISION = 'service.istio.io/canonical-revision';

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

function stringRecord(v: unknown): Record<string, string> {
  if (typeof v === 'string') {
    try {
      return stringRecord(JSON.parse(v));
    } catch {
      return {};
    }
  }
  const out: Record<string, string> = {};
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  }
  return out;
}

/** The parts of an istiod-style node id `sidecar~IP~pod.namespace~namespace.svc.cluster.local`. */
function fromNodeId(id: string): { pod: string; namespace: string } {
  const parts = id.split('~');
  if (parts.length !== 4) return { pod: '', namespace: '' };
  const [pod = '', namespace = ''] = (parts[2] ?? '').split('.');
  return { pod, namespace };
}

/** The identity a node's metadata gives, with Istio's fallbacks. */
export function workloadFromNode(node: NodeLike, domainSuffix = 'svc.cluster.local'): WorkloadIdentity {
  const m = node.metadata ?? {};
  const labels = { ...stringRecord(m.LABELS), ...stringRecord(m.SHOAL_LABELS) };
  const fromId = fromNodeId(node.id);
  const namespace = str(m.NAMESPACE) || fromId.namespace || 'default';
  const appName = str(m.SHOAL_APP);
  const app = labels.app ?? labels['app.kubernetes.io/name'] ?? appName;
  const version = labels.version ?? labels['app.kubernetes.io/version'] ?? '';
  const name = str(m.NAME) || fromId.pod || node.id;
  const workload = str(m.WORKLOAD_NAME) || (app ? (version ? `${app}-${version}` : app) : name);
  const canonicalService = labels[CANONICAL_NAME] ?? (app || workload);
  const canonicalRevision = labels[CANONICAL_REVISION] ?? (version || 'latest');
  const host = appName.includes('.') ? appName : appName ? `${appName}.${namespace}.${domainSuffix}` : '';
  return {
    nodeId: node.id,
    name,
    namespace,
    workload,
    app,
    version,
    canonicalService,
    canonicalRevision,
    cluster: str(m.CLUSTER_ID) || 'Kubernetes',
    serviceHost: host,
    labels: {
      ...labels,
      ...(app && { app }),
      ...(version && { version }),
      [CANONICAL_NAME]: canonicalService,
      [CANONICAL_REVISION]: canonicalRevision,
    },
  };
}
