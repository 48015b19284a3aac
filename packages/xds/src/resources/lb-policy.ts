// The load-balancing policy of a cluster: Envoy's cluster.v3.Cluster lb_policy and lb_config, with
// gRFC A42 (ring hash), A48 (least request) and Envoy's maglev validation rules.
import {
  type Cluster,
  Cluster_LbPolicy,
  Cluster_RingHashLbConfig_HashFunction,
} from '../gen/envoy/config/cluster/v3/cluster_pb.js';
import { at, type Problems } from './decode-result.js';

/** How a cluster picks an endpoint. */
export type XdsLbPolicy =
  | { readonly kind: 'round_robin' }
  | { readonly kind: 'random' }
  /** Power of `choiceCount` choices (A48; gRPC caps the count at 10). */
  | { readonly kind: 'least_request'; readonly choiceCount: number }
  | { readonly kind: 'ring_hash'; readonly minRingSize: number; readonly maxRingSize: number }
  | { readonly kind: 'maglev'; readonly tableSize: number };

const RING_SIZE_CAP = 8_388_608; // A42: 8M entries
const MAGLEV_MAX_TABLE = 5_000_011;

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

export function decodeLbPolicy(c: Cluster, problems: Problems): XdsLbPolicy | undefined {
  const cfg = c.lbConfig;
  switch (c.lbPolicy) {
    case Cluster_LbPolicy.ROUND_ROBIN:
      return { kind: 'round_robin' };
    case Cluster_LbPolicy.RANDOM:
      return { kind: 'random' };
    case Cluster_LbPolicy.LEAST_REQUEST: {
      const count = cfg.case === 'leastRequestLbConfig' ? (cfg.value.choiceCount ?? 2) : 2;
      if (count < 2) {
        problems.add('least_request_lb_config.choice_count', `${count} is below 2`);
        return undefined;
      }
      return { kind: 'least_request', choiceCount: Math.min(count, 10) };
    }
    case Cluster_LbPolicy.RING_HASH: {
      const p = 'ring_hash_lb_config';
      const r = cfg.case === 'ringHashLbConfig' ? cfg.value : undefined;
      const min = Number(r?.minimumRingSize ?? 1024n);
      const max = Number(r?.maximumRingSize ?? 8_388_608n);
      const before = problems.errors.length;
      if (r && r.hashFunction !== Cluster_RingHashLbConfig_HashFunction.XX_HASH) {
        problems.add(at(p, 'hash_function'), 'only XX_HASH is supported');
      }
      if (min < 1) problems.add(at(p, 'minimum_ring_size'), 'must be at least 1');
      if (max > RING_SIZE_CAP) problems.add(at(p, 'maximum_ring_size'), `${max} is above ${RING_SIZE_CAP}`);
      if (min > max) problems.add(at(p, 'minimum_ring_size'), `${min} is above maximum_ring_size ${max}`);
      return problems.errors.length > before
        ? undefined
        : { kind: 'ring_hash', minRingSize: min, maxRingSize: max };
    }
    case Cluster_LbPolicy.MAGLEV: {
      const size = Number(cfg.case === 'maglevLbConfig' ? (cfg.value.tableSize ?? 65_537n) : 65_537n);
      if (!isPrime(size) || size > MAGLEV_MAX_TABLE) {
        problems.add(
          'maglev_lb_config.table_size',
          `${size} must be a prime no larger than ${MAGLEV_MAX_TABLE}`,
        );
        return undefined;
      }
      return { kind: 'maglev', tableSize: size };
    }
    default:
      problems.add('lb_policy', `unsupported policy ${Cluster_LbPolicy[c.lbPolicy] ?? c.lbPolicy}`);
      return undefined;
  }
}
