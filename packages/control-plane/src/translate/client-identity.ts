// Which xDS client is asking, and which of the fields where clients differ it reads, from its Node
// (user_agent_name, user_agent_version), as istiod adapts its output to its clients. Resources
// differ per client only where no one encoding is read by every client; elsewhere the translator
// sends what all versions read (see route-match.ts for header matchers).
// gRPC: gRFC A27 (Node user agent), doc/grpc_xds_features.md (per-language versions of A42 ring
// hash and A48 least request); grpc/grpc#31766 (C-core 1.50-1.51 crash in the ring hash picker).

/** The client's implementation, as `shoal proxy-status` shows it. */
export type ClientImplementation =
  | 'shoal'
  | 'grpc-core'
  | 'grpc-java'
  | 'grpc-go'
  | 'grpc-node'
  | 'envoy'
  | 'unknown';

export interface ClientIdentity {
  implementation: ClientImplementation;
  /** The release (`1.51.1`), '' when the client did not say. */
  version: string;
  /** C-core's own version (`29.0.0`), which is all a C++ client sends. */
  coreVersion?: string;
  /** The language wrapping C-core (`Python`, `Ruby`, `PHP`), when it says. */
  language?: string;
}

/** Cluster LB policies (Envoy's Cluster.LbPolicy names) Shoal's translator emits. */
export type LbPolicyName = 'ROUND_ROBIN' | 'LEAST_REQUEST' | 'RANDOM' | 'RING_HASH' | 'MAGLEV';

const ALL_POLICIES: readonly LbPolicyName[] = [
  'ROUND_ROBIN',
  'LEAST_REQUEST',
  'RANDOM',
  'RING_HASH',
  'MAGLEV',
];

export interface ClientCapabilities {
  /** The LB policies the client accepts in Cluster.lb_policy (others are NACKed, or worse). */
  readonly lbPolicies: ReadonlySet<LbPolicyName>;
  /** Equal keys mean equal capabilities: the translator shares resources between such clients. */
  readonly key: string;
}

const VERSION = /\d+\.\d+(?:\.\d+)?/g;

export function identifyClient(userAgentName: string, userAgentVersion: string): ClientIdentity {
  const name = userAgentName.trim();
  const versions = userAgentVersion.match(VERSION) ?? [];
  if (/^shoal/i.test(name)) return { implementation: 'shoal', version: versions[0] ?? '' };
  if (name.startsWith('gRPC C-core')) {
    // `gRPC C-core linux Python` / `C-core 29.0.0 Python 1.51.1`: the wrapping language adds its
    // name and release; a C++ client sends only C-core's own version.
    const language = name.split(' ').slice(3).join(' ') || undefined;
    const [coreVersion = '', release = ''] = versions;
    return {
      implementation: 'grpc-core',
      version: release,
      ...(coreVersion ? { coreVersion } : {}),
      ...(language ? { language } : {}),
    };
  }
  if (name === 'gRPC Java') return { implementation: 'grpc-java', version: versions[0] ?? '' };
  if (name === 'gRPC Go') return { implementation: 'grpc-go', version: versions[0] ?? '' };
  if (name === 'gRPC Node Pure JS') return { implementation: 'grpc-node', version: versions[0] ?? '' };
  if (name === 'envoy') return { implementation: 'envoy', version: versions[0] ?? '' };
  return { implementation: 'unknown', version: versions[0] ?? '' };
}

/** `gRPC C-core 1.51.1 (Python)`, `grpc-js-xds 1.14.1`, `Shoal 0.1.0`. */
export function describeClient(c: ClientIdentity): string {
  const names: Record<ClientImplementation, string> = {
    shoal: 'Shoal',
    'grpc-core': 'gRPC C-core',
    'grpc-java': 'gRPC Java',
    'grpc-go': 'gRPC Go',
    'grpc-node': 'grpc-js-xds',
    envoy: 'Envoy',
    unknown: 'unknown',
  };
  const version = c.version || (c.coreVersion ? `core ${c.coreVersion}` : '');
  return [names[c.implementation], version, c.language ? `(${c.language})` : ''].filter(Boolean).join(' ');
}

/** -1, 0 or 1 as `a` is below, equal to or above `b` (numeric parts; missing parts are 0). */
function compare(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

const atLeast = (version: string, min: string) => version !== '' && compare(version, min) >= 0;

/** Which LB policies a gRPC client of this implementation and version reads. */
function grpcPolicies(c: ClientIdentity): LbPolicyName[] {
  const out: LbPolicyName[] = ['ROUND_ROBIN'];
  let ringHash = false;
  switch (c.implementation) {
    case 'grpc-core': {
      if (c.version) {
        // Ring hash came in 1.40; 1.50 and 1.51 crash in its picker (fixed by grpc/grpc#32012,
        // counted as fixed from 1.53 to be safe).
        ringHash = atLeast(c.version, '1.40') && !(atLeast(c.version, '1.50') && !atLeast(c.version, '1.53'));
      } else if (c.coreVersion) {
        // A C++ client names only C-core's version: core 29 is gRPC 1.51, one per release then.
        const core = Number(c.coreVersion.split('.')[0]);
        ringHash = core >= 18 && !(core >= 28 && core < 31);
      }
      break;
    }
    case 'grpc-java':
      ringHash = atLeast(c.version, '1.40.1');
      if (atLeast(c.version, '1.48')) out.push('LEAST_REQUEST');
      break;
    case 'grpc-go':
      ringHash = atLeast(c.version, '1.41');
      break;
    case 'grpc-node':
      ringHash = atLeast(c.version, '1.10');
      break;
  }
  if (ringHash) out.push('RING_HASH');
  return out;
}

/** What a client reads. Shoal, Envoy and clients that do not say get everything as configured. */
export function clientCapabilities(c: ClientIdentity): ClientCapabilities {
  const grpc = c.implementation.startsWith('grpc-');
  const lbPolicies = grpc ? grpcPolicies(c) : ALL_POLICIES;
  return { lbPolicies: new Set(lbPolicies), key: grpc ? lbPolicies.join(',') : '' };
}

/**
 * The policy to send a client for the one configured: itself when the client reads it, else the
 * nearest it reads. MAGLEV falls back to RING_HASH (still consistent hashing), everything else to
 * ROUND_ROBIN, which every client reads.
 */
export function lbPolicyFor(wanted: LbPolicyName, caps: ClientCapabilities): LbPolicyName {
  if (caps.lbPolicies.has(wanted)) return wanted;
  if (wanted === 'MAGLEV' && caps.lbPolicies.has('RING_HASH')) return 'RING_HASH';
  return 'ROUND_ROBIN';
}
