// Istio's API groups and the kinds each one has, so a kind that is not one of them (a typo such
// as `VirtualHighway`) is an error naming the real kinds, while a real Istio kind Shoal does not
// use (Gateway, Sidecar, EnvoyFilter, Telemetry, ...) is only skipped with a warning.
// Istio: the CRDs of istio/api (networking, security, telemetry, extensions).

export const ISTIO_KINDS: Readonly<Record<string, readonly string[]>> = {
  'networking.istio.io': [
    'DestinationRule',
    'EnvoyFilter',
    'Gateway',
    'ProxyConfig',
    'ServiceEntry',
    'Sidecar',
    'VirtualService',
    'WorkloadEntry',
    'WorkloadGroup',
  ],
  'security.istio.io': ['AuthorizationPolicy', 'PeerAuthentication', 'RequestAuthentication'],
  'telemetry.istio.io': ['Telemetry'],
  'extensions.istio.io': ['WasmPlugin'],
};

/** What an apiVersion's group says about a kind: not Istio's, or Istio's, with what is wrong. */
export interface IstioKindCheck {
  readonly istio: boolean;
  /** A kind or group that does not exist in Istio's API (a typo), with the field to blame. */
  readonly problem?: { readonly field: 'kind' | 'apiVersion'; readonly message: string };
}

const quoted = (names: readonly string[]) => names.map((n) => `"${n}"`).join(', ');

export function checkIstioKind(apiVersion: string, kind: string): IstioKindCheck {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  if (!group.endsWith('istio.io') || group === 'install.istio.io') return { istio: false };
  const kinds = ISTIO_KINDS[group];
  if (!kinds) {
    const message = `Unsupported value: "${group}": Istio's API groups are ${quoted(Object.keys(ISTIO_KINDS))}`;
    return { istio: true, problem: { field: 'apiVersion', message } };
  }
  if (kinds.includes(kind)) return { istio: true };
  const home = Object.keys(ISTIO_KINDS).find((g) => ISTIO_KINDS[g]!.includes(kind));
  const message = home
    ? `Unsupported value: "${apiVersion}": ${kind} is in ${home}`
    : `Unsupported value: "${kind}": ${group} has the kinds ${quoted(kinds)}`;
  return { istio: true, problem: { field: home ? 'apiVersion' : 'kind', message } };
}
