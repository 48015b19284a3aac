// A self-registration as the registry specs use it: instance `n1` of greeter v1 on 127.0.0.1:50051.

import type { RegisteredInstance } from '../src/registry/registry-types.js';

export function registration(over: Partial<RegisteredInstance> = {}): RegisteredInstance {
  return {
    nodeId: 'n1',
    app: 'greeter',
    namespace: 'default',
    hostname: 'greeter.default.svc.cluster.local',
    address: '127.0.0.1',
    port: 50051,
    interfaces: ['greet.v1.GreeterService'],
    labels: { version: 'v1' },
    weight: 1,
    ...over,
  };
}
