// Maps `/package.Service/Method` to an implementation, keyed also by Triple's service version
// and group (`tri-service-version`, `tri-service-group`), so one server can host several.

import type { DescMethod, DescService } from '@bufbuild/protobuf';
import { Code } from '../code.js';
import { methodPath } from '../method-types.js';
import { RpcError } from '../rpc-error.js';

export interface RegisteredMethod {
  readonly method: DescMethod;
  readonly impl: Function;
  readonly version: string;
  readonly group: string;
}

/** How a service is registered: its Dubbo version and group (tri-service-version, tri-service-group). */
export interface RegisterOptions {
  version?: string;
  group?: string;
}

const key = (version: string, group: string) => `${version}\u0000${group}`;

export class MethodRouter {
  private readonly byPath = new Map<string, Map<string, RegisteredMethod>>();
  private readonly serviceNames = new Set<string>();
  private readonly serviceDescs: DescService[] = [];

  register(service: DescService, impl: object, options: RegisterOptions = {}): void {
    const version = options.version ?? '';
    const group = options.group ?? '';
    const methods = impl as Record<string, unknown>;
    for (const name of Object.keys(methods)) {
      if (!service.methods.some((m) => m.localName === name)) {
        throw new TypeError(
          `${service.typeName} has no method "${name}" (its methods: ${service.methods.map((m) => m.localName).join(', ')})`,
        );
      }
    }
    for (const method of service.methods) {
      const fn = methods[method.localName];
      if (fn === undefined) continue; // answered with UNIMPLEMENTED
      if (typeof fn !== 'function')
        throw new TypeError(`${service.typeName}.${method.localName} is not a function`);
      const path = methodPath(method);
      let variants = this.byPath.get(path);
      if (!variants) this.byPath.set(path, (variants = new Map()));
      if (variants.has(key(version, group))) {
        throw new TypeError(`${path} is already registered for version "${version}" group "${group}"`);
      }
      variants.set(key(version, group), { method, impl: fn.bind(impl), version, group });
    }
    if (!this.serviceNames.has(service.typeName)) {
      this.serviceNames.add(service.typeName);
      this.serviceDescs.push(service);
    }
  }

  /** Whether some implementation is registered at `path` (whatever its version and group). */
  has(path: string): boolean {
    return this.byPath.has(path);
  }

  /** Every service registered, for reflection and health. */
  get services(): readonly DescService[] {
    return this.serviceDescs;
  }

  /**
   * Finds the method for a path, version and group. A call that names no version or group
   * reaches the one registration there is, or the one registered without them.
   */
  resolve(path: string, version = '', group = ''): RegisteredMethod {
    const variants = this.byPath.get(path);
    if (!variants) {
      const service = path.split('/')[1] ?? '';
      throw new RpcError(
        Code.UNIMPLEMENTED,
        this.serviceNames.has(service)
          ? `method not found: ${path}`
          : `service not found: ${service || path}`,
      );
    }
    const exact = variants.get(key(version, group));
    if (exact) return exact;
    if (version === '' && group === '' && variants.size === 1) return variants.values().next().value!;
    const offered = [...variants.values()].map((v) => `version "${v.version}" group "${v.group}"`).join(', ');
    throw new RpcError(
      Code.UNIMPLEMENTED,
      `${path}: no provider for version "${version}" group "${group}" (this server has ${offered})`,
    );
  }
}
