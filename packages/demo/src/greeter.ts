// The greeter provider: answers with a greeting and says which instance served it.

import { timestampNow } from '@bufbuild/protobuf/wkt';
import type { ServiceImpl } from '@shoal/rpc';
import { GreeterService } from './gen/greet/v1/greet_pb.js';

/** The greeter's implementation; every answer names the instance that served it. */
export function greeterImpl(servedBy: string): ServiceImpl<typeof GreeterService> {
  return {
    greet(request) {
      return { greeting: `Hello, ${request.name || 'world'}!`, servedBy, servedAt: timestampNow() };
    },
    async *greetStream(request) {
      for (let i = 1; i <= 5; i++) yield { greeting: `Hello #${i}, ${request.name || 'world'}!`, servedBy };
    },
  };
}

export { GreeterService };
