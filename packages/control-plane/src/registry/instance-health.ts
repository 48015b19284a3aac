// Instances taken out of service by hand (`shoal instance disable`; Dubbo's "temporarily kick out
// an instance"): a view of another registry in which those endpoints are UNHEALTHY, so the control
// plane sends them as UNHEALTHY and every client stops sending them new calls (gRPC A27 and Shoal
// call only HEALTHY and UNKNOWN endpoints). A disable may expire on its own. Rules can take
// instances out the same way (Dubbo's configurators with `disabled: true`: InstanceRules, given by
// the control plane), named as the reason. Whatever the backend (config, self-registration,
// ZooKeeper), the view works the same.
// Dubbo: "temporarily kick out an instance" (dynamic configuration with `disabled: true`).

import { isIP } from 'node:net';
import { Code, RpcError } from '@shoal/rpc';
import type {
  InterfaceTarget,
  LeaseState,
  RegisteredInstance,
  RegistrationLease,
  Registry,
  RegistryEndpoint,
  RegistryEvent,
  RegistryListener,
  RegistryService,
} from './registry-types.js';

/** One address taken out of service, by hand or by a rule. */
export interface DisabledInstance {
  /** `IP:PORT` (`[IPv6]:PORT`), or an IP alone for every port of it. */
  address: string;
  reason?: string;
  /** When it was disabled by hand, and when it comes back on its own (ISO 8601). */
  since?: string;
  until?: string;
  /**
   * The rule that takes it out (`DynamicConfig/NS/NAME`): it comes back when that rule changes,
   * not by `enable`.
   */
  rule?: string;
}

/** What a rule says about one endpoint. */
export interface RuleDisable {
  /** The rule, `KIND/NS/NAME`. */
  rule: string;
  /** What in the rule does it (`disabled: true`). */
  reason: string;
}

/** Rules that take instances out of service (Dubbo's configurators: dubbo/configurator-rules.ts). */
export interface InstanceRules {
  /** Grows whenever the rules may have changed. */
  readonly version: number;
  /** What takes this endpoint out, if anything; `interfaces()`: those its host serves. */
  disabledBy(endpoint: RegistryEndpoint, interfaces: () => readonly string[]): RuleDisable | undefined;
  /** Calls `listener` after the rules changed. */
  subscribe(listener: () => void): () => void;
}

/** Endpoints taken out by rules, by `host|IP:PORT`, for one version of the backend and the rules. */
interface RuledView {
  key: string;
  byEndpoint: Map<string, DisabledInstance>;
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
const endpointKey = (e: Pick<RegistryEndpoint, 'hostname' | 'address' | 'port'>) =>
  `${e.hostname}|${hostPort(e.address, e.port)}`;

export class InstanceHealth implements Registry {
  readonly #inner: Registry;
  readonly #rules: InstanceRules | undefined;
  #ruled: RuledView | undefined;
  /** What rules took out when subscribers were last told. */
  #announced: Map<string, DisabledInstance> | undefined;
  readonly #disabled = new Map<string, Disabled>();
  readonly #listeners = new Set<RegistryListener>();
  #unsubscribe: (() => void) | undefined;
  /** Counts this view's own changes; added to the inner version, both only grow. */
  #changes = 0;

  constructor(inner: Registry, options: { rules?: InstanceRules } = {}) {
    this.#inner = inner;
    this.#rules = options.rules;
  }

  get version(): number {
    return this.#inner.version + this.#changes;
  }

  start(): Promise<void> {
    return this.#inner.start();
  }

  leases(): LeaseState[] {
    return this.#inner.leases?.() ?? [];
  }

  services(): readonly RegistryService[] {
    return this.#inner.services();
  }

  service(hostname: string): RegistryService | undefined {
    return this.#inner.service(hostname);
  }

  endpoints(hostname?: string, servicePort?: number): readonly RegistryEndpoint[] {
    const all = this.#inner.endpoints(hostname, servicePort);
    const ruled = this.#ruledView().byEndpoint;
    if (this.#disabled.size === 0 && ruled.size === 0) return all;
    return all.map((e) => (this.#find(e) || ruled.has(endpointKey(e)) ? { ...e, health: 'UNHEALTHY' } : e));
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

  /** What disables this endpoint, if anything: a disable by hand, else a rule. */
  disabledFor(e: Pick<RegistryEndpoint, 'hostname' | 'address' | 'port'>): DisabledInstance | undefined {
    const record = this.#find(e)?.record ?? this.#ruledView().byEndpoint.get(endpointKey(e));
    return record && { ...record };
  }

  /** Every address disabled by hand now, then every instance a rule takes out. */
  disabled(): DisabledInstance[] {
    const byRule = new Map<string, DisabledInstance>();
    for (const d of this.#ruledView().byEndpoint.values()) byRule.set(`${d.address}|${d.rule}`, d);
    return [...this.#disabled.values()].map((d) => ({ ...d.record })).concat([...byRule.values()]);
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
    if (!entry) {
      const ruled = [...this.#ruledView().byEndpoint.values()].find((d) => d.address === key);
      if (ruled)
        throw new RpcError(
          Code.FAILED_PRECONDITION,
          `${key} is taken out by ${ruled.rule} (${ruled.reason}): change or delete that rule`,
        );
      throw new RpcError(Code.NOT_FOUND, `${key} is not disabled`);
    }
    clearTimeout(entry.timer);
    this.#disabled.delete(key);
    this.#changed(this.#hostsAt(ip, port));
    return { ...entry.record };
  }

  subscribe(listener: RegistryListener): () => void {
    this.#listeners.add(listener);
    if (!this.#unsubscribe) {
      const fromInner = this.#inner.subscribe((e) => this.#emit({ ...e, version: this.version }));
      this.#announced = this.#ruledView().byEndpoint;
      const fromRules = this.#rules?.subscribe(() => this.#rulesChanged());
      this.#unsubscribe = () => {
        fromInner();
        fromRules?.();
      };
    }
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

  /** The endpoints rules take out now (computed once per version of the backend and the rules). */
  #ruledView(): RuledView {
    const rules = this.#rules;
    const key = `${this.#inner.version}|${rules?.version ?? 0}`;
    if (this.#ruled?.key === key) return this.#ruled;
    const byEndpoint = new Map<string, DisabledInstance>();
    if (rules) {
      const interfacesOf = this.#hostInterfaces();
      for (const e of this.#inner.endpoints()) {
        const by = rules.disabledBy(e, () => interfacesOf(e.hostname));
        if (by) byEndpoint.set(endpointKey(e), { address: hostPort(e.address, e.port), ...by });
      }
    }
    this.#ruled = { key, byEndpoint };
    return this.#ruled;
  }

  /** The interfaces each host serves: its own list, and those resolved to it (read on first use). */
  #hostInterfaces(): (hostname: string) => string[] {
    let byHost: Map<string, Set<string>> | undefined;
    const read = () => {
      const map = new Map<string, Set<string>>();
      const add = (host: string, name: string) => map.set(host, (map.get(host) ?? new Set()).add(name));
      for (const s of this.#inner.services()) for (const i of s.interfaces) add(s.hostname, i);
      for (const i of this.#inner.interfaces())
        for (const t of this.#inner.resolveInterface(i)) add(t.hostname, i);
      return map;
    };
    return (hostname) => {
      byHost ??= read();
      return [...(byHost.get(hostname) ?? [])];
    };
  }

  /** A rule changed: a change event for the hosts whose instances it takes out or puts back. */
  #rulesChanged(): void {
    const before = this.#announced ?? new Map<string, DisabledInstance>();
    const after = this.#ruledView().byEndpoint;
    this.#announced = after;
    const hosts = new Set<string>();
    for (const [k, d] of after) if (before.get(k)?.rule !== d.rule) hosts.add(k.split('|')[0]!);
    for (const k of before.keys()) if (!after.has(k)) hosts.add(k.split('|')[0]!);
    if (hosts.size > 0) this.#changed([...hosts].sort());
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
