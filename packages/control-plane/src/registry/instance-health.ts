// Instances taken out of service by hand (`shoal instance disable`; Dubbo's "temporarily kick out
// an instance"): a view of another registry in which those endpoints are UNHEALTHY, so the control
// plane sends them as UNHEALTHY and every client stops sending them new calls (gRPC A27 and Shoal
// call only HEALTHY and UNKNOWN endpoints). A disable may expire on its own. Whatever the backend
// (config, self-registration, later etcd or Kubernetes), the view works the same.
// Dubbo: dynamic configuration with `disabled: true` for an address.

import { isIP } from 'node:net';
import { Code, RpcError } from '@shoal/rpc';
import type {
  InterfaceTarget,
  RegisteredInstance,
  RegistrationLease,
  Registry,
  RegistryEndpoint,
  RegistryEvent,
  RegistryListener,
  RegistryService,
} from './registry-types.js';

/** One address taken out of service. */
export interface DisabledInstance {
  /** `IP:PORT` (`[IPv6]:PORT`), or an IP alone for every port of it. */
  address: string;
  reason?: string;
  /** When it was disabled, and when it comes back on its own (ISO 8601). */
  since: string;
  until?: string;
}

interface Disabled {
  record: DisabledInstance;
  ip: string;
  port: number | undefined;
  timer?: NodeJS.Timeout;
}

/** `10.0.0.7:50051`, `[fd00::7]:50051`, `10.0.0.7` → the IP and the port (undefined: every port). */
export function parseInstanceAddress(address: string): { ip: string; port: number | undefined } {
  const text = address.trim();
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const plain = /^([^:]+)(?::(\d+))?$/.exec(text);
  const [ip, port] = bracket
    ? [bracket[1]!, bracket[2]]
    : plain
      ? [plain[1]!, plain[2]]
      : isIP(text) === 6
        ? [text, undefined]
        : ['', undefined];
  const n = port === undefined ? undefined : Number(port);
  if (isIP(ip) === 0 || (n !== undefined && (n < 1 || n > 65535))) {
    throw new RpcError(
      Code.INVALID_ARGUMENT,
      `"${address}" is not an instance address: use IP:PORT ([IPv6]:PORT), or an IP for all its ports`,
    );
  }
  return { ip, port: n };
}

const hostPort = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

export class InstanceHealth implements Registry {
  readonly #inner: Registry;
  readonly #disabled = new Map<string, Disabled>();
  readonly #listeners = new Set<RegistryListener>();
  #unsubscribe: (() => void) | undefined;
  /** Counts this view's own changes; added to the inner version, both only grow. */
  #changes = 0;

  constructor(inner: Registry) {
    this.#inner = inner;
  }

  get version(): number {
    return this.#inner.version + this.#changes;
  }

  services(): readonly RegistryService[] {
    return this.#inner.services();
  }

  service(hostname: string): RegistryService | undefined {
    return this.#inner.service(hostname);
  }

  endpoints(hostname?: string, servicePort?: number): readonly RegistryEndpoint[] {
    const all = this.#inner.endpoints(hostname, servicePort);
    if (this.#disabled.size === 0) return all;
    return all.map((e) => (this.#find(e) ? { ...e, health: 'UNHEALTHY' } : e));
  }

  resolveInterface(name: string): InterfaceTarget[] {
    return this.#inner.resolveInterface(name);
  }

  interfaces(): string[] {
    return this.#inner.interfaces();
  }

  register(registration: RegisteredInstance): Promise<RegistrationLease> {
    return this.#inner.register(registration);
  }

  /** What disables this endpoint, if anything. */
  disabledFor(e: Pick<RegistryEndpoint, 'address' | 'port'>): DisabledInstance | undefined {
    return this.#find(e)?.record;
  }

  /** Every address disabled now. */
  disabled(): DisabledInstance[] {
    return [...this.#disabled.values()].map((d) => ({ ...d.record }));
  }

  /**
   * Takes an address out of service, for `forMs` or until enabled; a second disable replaces the
   * first. NOT_FOUND when no endpoint has that address (a typo must not pass silently).
   */
  disable(address: string, options: { forMs?: number; reason?: string } = {}): DisabledInstance {
    const { ip, port } = parseInstanceAddress(address);
    const hosts = this.#hostsAt(ip, port);
    if (hosts.length === 0)
      throw new RpcError(Code.NOT_FOUND, `no instance at ${address}: see \`shoal instance list\``);
    const key = port === undefined ? ip : hostPort(ip, port);
    clearTimeout(this.#disabled.get(key)?.timer);
    const now = Date.now();
    const record: DisabledInstance = {
      address: key,
      ...(options.reason ? { reason: options.reason } : {}),
      since: new Date(now).toISOString(),
      ...(options.forMs !== undefined ? { until: new Date(now + options.forMs).toISOString() } : {}),
    };
    const entry: Disabled = { record, ip, port };
    if (options.forMs !== undefined) {
      entry.timer = setTimeout(() => {
        if (this.#disabled.get(key) !== entry) return;
        this.#disabled.delete(key);
        this.#changed(this.#hostsAt(ip, port));
      }, options.forMs);
      entry.timer.unref();
    }
    this.#disabled.set(key, entry);
    this.#changed(hosts);
    return { ...record };
  }

  /** Puts an address back in service; NOT_FOUND when it was not disabled. */
  enable(address: string): DisabledInstance {
    const { ip, port } = parseInstanceAddress(address);
    const key = port === undefined ? ip : hostPort(ip, port);
    const entry = this.#disabled.get(key);
    if (!entry) throw new RpcError(Code.NOT_FOUND, `${key} is not disabled`);
    clearTimeout(entry.timer);
    this.#disabled.delete(key);
    this.#changed(this.#hostsAt(ip, port));
    return { ...entry.record };
  }

  subscribe(listener: RegistryListener): () => void {
    this.#listeners.add(listener);
    this.#unsubscribe ??= this.#inner.subscribe((e) => this.#emit({ ...e, version: this.version }));
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Stops the expiry timers; the inner registry belongs to whoever made it. */
  async close(): Promise<void> {
    for (const d of this.#disabled.values()) clearTimeout(d.timer);
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#listeners.clear();
  }

  #find(e: Pick<RegistryEndpoint, 'address' | 'port'>): Disabled | undefined {
    return this.#disabled.get(hostPort(e.address, e.port)) ?? this.#disabled.get(e.address);
  }

  #hostsAt(ip: string, port: number | undefined): string[] {
    const at = this.#inner
      .endpoints()
      .filter((e) => e.address === ip && (port === undefined || e.port === port));
    return [...new Set(at.map((e) => e.hostname))].sort();
  }

  #changed(hostnames: string[]): void {
    this.#changes++;
    this.#emit({ version: this.version, reason: 'health', hostnames });
  }

  #emit(event: RegistryEvent): void {
    for (const listener of [...this.#listeners]) listener(event);
  }
}
