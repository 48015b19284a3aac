// The load-balancing policy of a cluster: Envoy's cluster.v3.Cluster lb_policy and lb_config, or
// the newer load_balancing_policy list of extensions (gRFC A52), with gRFC A42 (ring hash),
// A48 (least request) and Envoy's maglev validation rules.
import type { DescMessage } from '@bufbuild/protobuf';
import {
  type Cluster,
  Cluster_LbPolicy,
  Cluster_RingHashLbConfig_HashFunction,
  type LoadBalancingPolicy,
} from '../gen/envoy/config/cluster/v3/cluster_pb.js';
import { LeastRequestSchema } from '../gen/envoy/extensions/load_balancing_policies/least_request/v3/least_request_pb.js';
import { MaglevSchema } from '../gen/envoy/extensions/load_balancing_policies/maglev/v3/maglev_pb.js';
import { PickFirstSchema } from '../gen/envoy/extensions/load_balancing_policies/pick_first/v3/pick_first_pb.js';
import { RandomSchema } from '../gen/envoy/extensions/load_balancing_policies/random/v3/random_pb.js';
import {
  RingHash_HashFunction,
  RingHashSchema,
} from '../gen/envoy/extensions/load_balancing_policies/ring_hash/v3/ring_hash_pb.js';
import { RoundRobinSchema } from '../gen/envoy/extensions/load_balancing_policies/round_robin/v3/round_robin_pb.js';
import { WrrLocalitySchema } from '../gen/envoy/extensions/load_balancing_policies/wrr_locality/v3/wrr_locality_pb.js';
import { at, index, type Problems, parse } from './decode-result.js';

/** How a cluster picks an endpoint. */
export type XdsLbPolicy =
  | { readonly kind: 'round_robin' }
  | { readonly kind: 'random' }
  /** Power of `choiceCount` choices (A48; gRPC caps the count at 10). */
  | { readonly kind: 'least_request'; readonly choiceCount: number }
  | { readonly kind: 'ring_hash'; readonly minRingSize: number; readonly maxRingSize: number }
  | { readonly kind: 'maglev'; readonly tableSize: number }
  /** Only from load_balancing_policy (A52): the first reachable endpoint. */
  | { readonly kind: 'pick_first'; readonly shuffleAddressList: boolean };

/** The policy and whether localities are weighted first (wrr_locality or locality_weighted_lb_config). */
export interface XdsLoadBalancing {
  readonly lbPolicy: XdsLbPolicy;
  readonly localityWeighted: boolean;
}

const RING_SIZE_CAP = 8_388_608; // A42: 8M entries
const MAGLEV_MAX_TABLE = 5_000_011;
const MAX_POLICY_DEPTH = 16; // A52

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

function leastRequest(count: number, path: string, problems: Problems): XdsLbPolicy | undefined {
  if (count < 2) {
    problems.add(path, `${count} is below 2`);
    return undefined;
  }
  return { kind: 'least_request', choiceCount: Math.min(count, 10) };
}

function ringHash(min: number, max: number, path: string, problems: Problems): XdsLbPolicy | undefined {
  const before = problems.errors.length;
  if (min < 1) problems.add(at(path, 'minimum_ring_size'), 'must be at least 1');
  if (max > RING_SIZE_CAP) problems.add(at(path, 'maximum_ring_size'), `${max} is above ${RING_SIZE_CAP}`);
  if (min > max) problems.add(at(path, 'minimum_ring_size'), `${min} is above maximum_ring_size ${max}`);
  return problems.errors.length > before
    ? undefined
    : { kind: 'ring_hash', minRingSize: min, maxRingSize: max };
}

function maglev(size: number, path: string, problems: Problems): XdsLbPolicy | undefined {
  if (!isPrime(size) || size > MAGLEV_MAX_TABLE) {
    problems.add(path, `${size} must be a prime no larger than ${MAGLEV_MAX_TABLE}`);
    return undefined;
  }
  return { kind: 'maglev', tableSize: size };
}

/** Decodes a cluster's load balancing; load_balancing_policy wins over lb_policy when set. */
export function decodeLoadBalancing(c: Cluster, problems: Problems): XdsLoadBalancing | undefined {
  const localityWeighted = c.commonLbConfig?.localityConfigSpecifier.case === 'localityWeightedLbConfig';
  if (c.loadBalancingPolicy) {
    return decodePolicyList(c.loadBalancingPolicy, 'load_balancing_policy', 0, localityWeighted, problems);
  }
  const lbPolicy = decodeLegacyPolicy(c, problems);
  return lbPolicy && { lbPolicy, localityWeighted };
}

function decodeLegacyPolicy(c: Cluster, problems: Problems): XdsLbPolicy | undefined {
  const cfg = c.lbConfig;
  switch (c.lbPolicy) {
    case Cluster_LbPolicy.ROUND_ROBIN:
      return { kind: 'round_robin' };
    case Cluster_LbPolicy.RANDOM:
      return { kind: 'random' };
    case Cluster_LbPolicy.LEAST_REQUEST: {
      const count = cfg.case === 'leastRequestLbConfig' ? (cfg.value.choiceCount ?? 2) : 2;
      return leastRequest(count, 'least_request_lb_config.choice_count', problems);
    }
    case Cluster_LbPolicy.RING_HASH: {
      const r = cfg.case === 'ringHashLbConfig' ? cfg.value : undefined;
      if (r && r.hashFunction !== Cluster_RingHashLbConfig_HashFunction.XX_HASH) {
        problems.add('ring_hash_lb_config.hash_function', 'only XX_HASH is supported');
      }
      const min = Number(r?.minimumRingSize ?? 1024n);
      const max = Number(r?.maximumRingSize ?? BigInt(RING_SIZE_CAP));
      return ringHash(min, max, 'ring_hash_lb_config', problems);
    }
    case Cluster_LbPolicy.MAGLEV: {
      const size = Number(cfg.case === 'maglevLbConfig' ? (cfg.value.tableSize ?? 65_537n) : 65_537n);
      return maglev(size, 'maglev_lb_config.table_size', problems);
    }
    default:
      problems.add('lb_policy', `unsupported policy ${Cluster_LbPolicy[c.lbPolicy] ?? c.lbPolicy}`);
      return undefined;
  }
}

const known = (schema: DescMessage) => `type.googleapis.com/${schema.typeName}`;

/** A52: the first policy in the list that this client supports; an invalid supported one is an error. */
function decodePolicyList(
  list: LoadBalancingPolicy,
  path: string,
  depth: number,
  localityWeighted: boolean,
  problems: Problems,
): XdsLoadBalancing | undefined {
  if (depth >= MAX_POLICY_DEPTH) {
    problems.add(path, `policies nested deeper than ${MAX_POLICY_DEPTH}`);
    return undefined;
  }
  for (const [i, policy] of list.policies.entries()) {
    const any = policy.typedExtensionConfig?.typedConfig;
    const p = at(index(at(path, 'policies'), i), 'typed_extension_config.typed_config');
    if (!any) continue;
    const policyOf = (lbPolicy: XdsLbPolicy | undefined) => lbPolicy && { lbPolicy, localityWeighted };
    switch (any.typeUrl) {
      case known(RoundRobinSchema):
        return parse(RoundRobinSchema, any.value, p, problems) && policyOf({ kind: 'round_robin' });
      case known(RandomSchema):
        return parse(RandomSchema, any.value, p, problems) && policyOf({ kind: 'random' });
      case known(PickFirstSchema): {
        const m = parse(PickFirstSchema, any.value, p, problems);
        return m && policyOf({ kind: 'pick_first', shuffleAddressList: m.shuffleAddressList });
      }
      case known(LeastRequestSchema): {
        const m = parse(LeastRequestSchema, any.value, p, problems);
        return m && policyOf(leastRequest(m.choiceCount ?? 2, at(p, 'choice_count'), problems));
      }
      case known(RingHashSchema): {
        const m = parse(RingHashSchema, any.value, p, problems);
        if (!m) return undefined;
        if (
          m.hashFunction !== RingHash_HashFunction.DEFAULT_HASH &&
          m.hashFunction !== RingHash_HashFunction.XX_HASH
        ) {
          problems.add(at(p, 'hash_function'), 'only XX_HASH is supported');
          return undefined;
        }
        const min = Number(m.minimumRingSize ?? 1024n);
        const max = Number(m.maximumRingSize ?? BigInt(RING_SIZE_CAP));
        return policyOf(ringHash(min, max, p, problems));
      }
      case known(MaglevSchema): {
        const m = parse(MaglevSchema, any.value, p, problems);
        return m && policyOf(maglev(Number(m.tableSize ?? 65_537n), at(p, 'table_size'), problems));
      }
      case known(WrrLocalitySchema): {
        const m = parse(WrrLocalitySchema, any.value, p, problems);
        if (!m) return undefined;
        if (!m.endpointPickingPolicy) {
          problems.add(at(p, 'endpoint_picking_policy'), 'is required');
          return undefined;
        }
        const child = decodePolicyList(
          m.endpointPickingPolicy,
          at(p, 'endpoint_picking_policy'),
          depth + 1,
          true,
          problems,
        );
        return child && { lbPolicy: child.lbPolicy, localityWeighted: true };
      }
      default:
        continue; // not supported here: try the next one
    }
  }
  problems.add(path, 'none of the policies is supported');
  return undefined;
}
