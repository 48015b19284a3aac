// The embedded config store: objects in this process, and, with a data dir, every applied object
// persisted in `config.json` there. Each change is written (a temporary file, then a rename) before
// it is applied or acknowledged, and the file is loaded on start, so a restart keeps every object,
// its owner and its version: clients see the same config and the same versions.

import { Code, RpcError } from '@shoal/rpc';
import type { DataDir } from '../state/data-dir.js';
import type { AnyConfigObject, ConfigKind } from './config-object.js';
import { isConfigKind, objectKey } from './config-object.js';
import type { ConfigStateOptions, EntryUpdate, StoredEntry } from './config-state.js';
import type { ApplyOptions, ApplyResult, ConfigStore } from './config-store.js';
import type { LoadedConfig } from './load-config.js';
import { StateBackedStore } from './state-backed-store.js';

/** The file in the data dir. */
export const CONFIG_FILE = 'config.json';
const FORMAT = 'shoal.config/v1';

export interface MemoryConfigStoreOptions extends ConfigStateOptions {
  /** Persist every change here and load it on construction. */
  dataDir?: DataDir;
}

interface ConfigFile {
  format: typeof FORMAT;
  version: number;
  entries: StoredEntry[];
}

export class MemoryConfigStore extends StateBackedStore implements ConfigStore {
  readonly #dataDir: DataDir | undefined;

  constructor(options: MemoryConfigStoreOptions = {}) {
    super(options);
    this.#dataDir = options.dataDir;
    const saved = this.#dataDir ? readConfigFile(this.#dataDir) : undefined;
    if (saved) this.state.restore(saved.version, saved.entries);
  }

  get description(): string {
    return this.#dataDir ? `memory, saved in ${this.#dataDir.file(CONFIG_FILE)}` : 'memory (not saved)';
  }

  async start(): Promise<void> {}

  async close(): Promise<void> {}

  async apply(input: string | readonly unknown[], options: ApplyOptions = {}): Promise<ApplyResult> {
    return this.#applySync(this.state.load(input, options), options.owner ?? 'api', false, options);
  }

  async replaceOwned(
    owner: string,
    input: string | readonly unknown[] | LoadedConfig,
    options: ApplyOptions = {},
  ): Promise<ApplyResult> {
    return this.#applySync(this.state.load(input, options), owner, true, options);
  }

  async delete(
    kind: ConfigKind,
    namespace: string,
    name: string,
    options: { source?: string } = {},
  ): Promise<boolean> {
    if (!this.get(kind, namespace, name)) return false;
    this.#write([[objectKey(kind, namespace, name), undefined]], options.source);
    return true;
  }

  /** Runs without awaiting, so applies made from a listener's callback keep their order. */
  #applySync(loaded: LoadedConfig, owner: string, replace: boolean, options: ApplyOptions): ApplyResult {
    const updates = this.state.plan(loaded, owner, replace);
    const { warnings, skipped } = loaded;
    if (options.dryRun) {
      const staged = this.state.stage(this.state.version + 1, updates);
      return { version: this.state.versionAfter(staged), changes: staged.changes, warnings, skipped };
    }
    const changes = this.#write(updates, options.source);
    return { version: this.state.version, changes, warnings, skipped };
  }

  #write(updates: readonly EntryUpdate[], source?: string) {
    const staged = this.state.stage(this.state.version + 1, updates);
    if (this.#dataDir && staged.sets.length + staged.deletes.length > 0) {
      const file: ConfigFile = {
        format: FORMAT,
        version: this.state.versionAfter(staged),
        entries: this.state.entriesAfter(staged),
      };
      // Written before the change is applied: an apply that cannot be saved is not accepted.
      this.#dataDir.write(CONFIG_FILE, `${JSON.stringify(file)}\n`);
    }
    return this.state.commit(staged, source);
  }
}

/** The saved config, or undefined when there is none yet. A damaged file is an error, never ignored. */
function readConfigFile(dataDir: DataDir): ConfigFile | undefined {
  const text = dataDir.read(CONFIG_FILE);
  if (text === undefined) return undefined;
  const where = dataDir.file(CONFIG_FILE);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw damaged(where, `not JSON (${(err as Error).message})`);
  }
  const file = parsed as Partial<ConfigFile>;
  if (file?.format !== FORMAT)
    throw damaged(where, `format is ${JSON.stringify(file?.format)}, expected "${FORMAT}"`);
  if (!Number.isInteger(file.version) || (file.version ?? -1) < 0)
    throw damaged(where, 'version: not a count');
  if (!Array.isArray(file.entries)) throw damaged(where, 'entries: not a list');
  file.entries.forEach((e, i) => {
    const o = e?.object as Partial<AnyConfigObject> | undefined;
    if (typeof e?.owner !== 'string' || !isConfigKind(o?.kind) || typeof o?.metadata?.name !== 'string')
      throw damaged(where, `entries[${i}]: needs owner, object.kind and object.metadata.name`);
  });
  return file as ConfigFile;
}

function damaged(where: string, why: string): RpcError {
  return new RpcError(
    Code.FAILED_PRECONDITION,
    `the saved config ${where} cannot be read: ${why}; restore it, or move it away to start empty`,
  );
}
