// The LB policy registry: owned by an instance (a mesh client), never by the module. Built-in
// policies are registered in one visible place, createLbPolicyRegistry(); applications may
// register more. Names follow Envoy's and gRPC's (`ring_hash_experimental` etc. are aliases),
// plus Dubbo's shortest_response.

import { Code, RpcError } from '@shoal/rpc/client';
import { leastRequestPolicy } from './least-request.js';
import { maglevPolicy } from './maglev.js';
import type { LbPolicy, LbPolicyFactory } from './picker.js';
import { randomPolicy } from './random.js';
import { ringHashPolicy } from './ring-hash.js';
import { roundRobinPolicy } from './round-robin.js';
import { shortestResponsePolicy } from './shortest-response.js';

/**
 * LB policies by their xDS type name; a cluster's policy list is resolved to the first one registered (gRFC
 * A52).
 */
export class LbPolicyRegistry {
  private readonly factories = new Map<string, LbPolicyFactory>();

  registerLbPolicy(name: string, factory: LbPolicyFactory): void {
    if (this.factories.has(name))
      throw new RpcError(Code.ALREADY_EXISTS, `LB policy ${JSON.stringify(name)} is already registered`);
    this.factories.set(name, factory);
  }

  has(name: string): boolean {
    return this.factories.has(name);
  }

  names(): string[] {
    return [...this.factories.keys()];
  }

  /** Parses `config` for the named policy; unknown names and bad configs throw INVALID_ARGUMENT naming `path`. */
  create(name: string, config: unknown, path = 'lbPolicy'): LbPolicy {
    const factory = this.factories.get(name);
    if (factory === undefined)
      throw new RpcError(
        Code.INVALID_ARGUMENT,
        `${path}: unknown LB policy ${JSON.stringify(name)} (known: ${this.names().join(', ')})`,
      );
    return factory(config, path);
  }
}

/** A registry holding the built-in policies. */
export function createLbPolicyRegistry(): LbPolicyRegistry {
  const registry = new LbPolicyRegistry();
  registry.registerLbPolicy('round_robin', roundRobinPolicy);
  registry.registerLbPolicy('random', randomPolicy);
  registry.registerLbPolicy('least_request', leastRequestPolicy);
  registry.registerLbPolicy('least_request_experimental', leastRequestPolicy);
  registry.registerLbPolicy('ring_hash', ringHashPolicy);
  registry.registerLbPolicy('ring_hash_experimental', ringHashPolicy);
  registry.registerLbPolicy('maglev', maglevPolicy);
  // Apache Dubbo's, for Dubbo users' configs.
  registry.registerLbPolicy('shortest_response', shortestResponsePolicy);
  return registry;
}
