// Self-registrations held by this process. A lease ends when the client's ADS stream ends; the
// instance stays for a grace period (it may reconnect), then goes. With a data dir they are saved in
// `registrations.json` and loaded on start as ended leases: instances that reconnect within the grace
// period keep their endpoints through a control-plane restart, the others expire.

import { canonicalJson } from '../config/canonical-json.js';
import type { DataDir } from '../state/data-dir.js';
import type { RegistrationChange, RegistrationStore } from './registration-store.js';
import type { LeaseState, RegisteredInstance, RegistrationLease } from './registry-types.js';

export const REGISTRATIONS_FILE = 'registrations.json';
const FORMAT = 'shoal.registrations/v1';

export interface MemoryRegistrationsOptions {
  /** How long an instance whose lease ended stays registered. Default 10 s. */
  graceMs?: number;
  /** Save registrations here and load them on start. */
  dataDir?: DataDir;
  /** Told when saving fails (registrations are soft state: the next change saves again). */
  onSaveError?: (err: unknown) => void;
}

interface Held {
  registration: RegisteredInstance;
  /** Changes on every register(), so a superseded lease cannot remove the new one. */
  token: symbol;
  timer?: NodeJS.Timeout;
  /** Epoch ms: when it registered (loaded ones: when this process started), and when its lease ended. */
  registeredAt: number;
  endedAt?: number;
}

interface SavedFile {
  format: typeof FORMAT;
  version: number;
  registrations: RegisteredInstance[];
}

export class MemoryRegistrations implements RegistrationStore {
  readonly #graceMs: number;
  readonly #dataDir: DataDir | undefined;
  readonly #onSaveError: (err: unknown) => void;
  readonly #held = new Map<string, Held>();
  #onChange: (change: RegistrationChange) => void = () => {};
  #version = 0;
  #saveTimer: NodeJS.Immediate | undefined;
  #closed = false;

  constructor(options: MemoryRegistrationsOptions = {}) {
    this.#graceMs = options.graceMs ?? 10_000;
    this.#dataDir = options.dataDir;
    this.#onSaveError =
      options.onSaveError ?? ((err) => process.emitWarning(`saving registrations failed: ${String(err)}`));
    const saved = this.#dataDir ? readSaved(this.#dataDir) : undefined;
    if (saved) {
      this.#version = saved.version;
      for (const registration of saved.registrations) {
        const held: Held = { registration, token: Symbol(registration.nodeId), registeredAt: Date.now() };
        this.#held.set(registration.nodeId, held);
      }
    }
  }

  get description(): string {
    return this.#dataDir ? `memory, saved in ${this.#dataDir.file(REGISTRATIONS_FILE)}` : 'memory';
  }

  get version(): number {
    return this.#version;
  }

  async start(onChange: (change: RegistrationChange) => void): Promise<void> {
    this.#onChange = onChange;
    // Loaded registrations are leases whose stream ended with the last process.
    for (const held of this.#held.values()) this.#endLease(held);
  }

  registrations(): readonly RegisteredInstance[] {
    return [...this.#held.values()].map((h) => h.registration);
  }

  leases(): LeaseState[] {
    return [...this.#held.values()].map((h) => ({
      nodeId: h.registration.nodeId,
      registeredAt: h.registeredAt,
      ...(h.endedAt !== undefined && { endedAt: h.endedAt, expiresAt: h.endedAt + this.#graceMs }),
    }));
  }

  async register(registration: RegisteredInstance): Promise<RegistrationLease> {
    if (this.#closed) throw new Error('registry is closed');
    const nodeId = registration.nodeId;
    const previous = this.#held.get(nodeId);
    clearTimeout(previous?.timer);
    const held: Held = {
      registration: structuredClone(registration),
      token: Symbol(nodeId),
      registeredAt: Date.now(),
    };
    this.#held.set(nodeId, held);
    // The same instance back (a reconnect, a control-plane restart): nothing changed.
    if (!previous || canonicalJson(previous.registration) !== canonicalJson(registration)) {
      const hostnames = [...new Set([previous?.registration.hostname, registration.hostname])].filter(
        (h) => h !== undefined,
      );
      this.#changed({ reason: 'registered', nodeId, hostnames });
    }
    const current = () => {
      const h = this.#held.get(nodeId);
      return h && h.token === held.token ? h : undefined;
    };
    return {
      nodeId,
      end: () => {
        const h = current();
        if (h && !h.timer && !this.#closed) this.#endLease(h);
      },
      remove: () => {
        const h = current();
        if (h) this.#remove(h, 'deregistered');
      },
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const h of this.#held.values()) clearTimeout(h.timer);
    if (this.#saveTimer) {
      clearImmediate(this.#saveTimer);
      this.#saveTimer = undefined;
      this.#save();
    }
  }

  #endLease(held: Held): void {
    held.endedAt = Date.now();
    held.timer = setTimeout(() => {
      if (this.#held.get(held.registration.nodeId) === held) this.#remove(held, 'expired');
    }, this.#graceMs);
    held.timer.unref();
  }

  #remove(held: Held, reason: 'deregistered' | 'expired'): void {
    clearTimeout(held.timer);
    this.#held.delete(held.registration.nodeId);
    this.#changed({ reason, nodeId: held.registration.nodeId, hostnames: [held.registration.hostname] });
  }

  #changed(change: RegistrationChange): void {
    this.#version++;
    if (this.#dataDir) this.#saveTimer ??= setImmediate(() => this.#save());
    this.#onChange(change);
  }

  /** Saves after a burst of changes (thousands of instances registering at start) in one write. */
  #save(): void {
    this.#saveTimer = undefined;
    const file: SavedFile = {
      format: FORMAT,
      version: this.#version,
      registrations: this.registrations() as RegisteredInstance[],
    };
    try {
      this.#dataDir?.write(REGISTRATIONS_FILE, `${JSON.stringify(file)}\n`);
    } catch (err) {
      this.#onSaveError(err);
    }
  }
}

function readSaved(dataDir: DataDir): SavedFile | undefined {
  const text = dataDir.read(REGISTRATIONS_FILE);
  if (text === undefined) return undefined;
  try {
    const file = JSON.parse(text) as Partial<SavedFile>;
    if (file.format !== FORMAT || !Number.isInteger(file.version) || !Array.isArray(file.registrations))
      throw new Error(`not a ${FORMAT} file`);
    return file as SavedFile;
  } catch (err) {
    // Registrations are soft state: every live instance registers again when it reconnects.
    process.emitWarning(`ignoring ${dataDir.file(REGISTRATIONS_FILE)}: ${(err as Error).message}`);
    return undefined;
  }
}
