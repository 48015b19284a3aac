// A directory of config files (`shoal cp --config DIR`): every *.yaml, *.yml and *.json in it is
// the config, applied as one atomic set and watched for changes. A file with any error is reported
// with its name and leaves the last good config in place. Each object is marked with the file it
// came from (annotation shoal.io/config-file), and the directory owns them in the store.

import { type FSWatcher, watch } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CONFIG_FILE_ANNOTATION } from './config-file-annotation.js';
import type { AnyConfigObject } from './config-object.js';
import { ConfigRejectedError } from './config-rejected-error.js';
import type { ConfigChange, ConfigStore } from './config-store.js';
import type { SkippedDocument } from './config-validator.js';
import type { ConfigIssue } from './issues.js';
import { type LoadedConfig, loadConfigText } from './load-config.js';

const CONFIG_FILE = /\.(ya?ml|json)$/i;

export interface DirectoryLoadResult {
  /** True when the files were valid and the store now holds exactly them. */
  ok: boolean;
  /** Store version after the load (unchanged when `ok` is false). */
  version: number;
  /** The config files read, sorted by name. */
  files: string[];
  changes: ConfigChange[];
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
  skipped: SkippedDocument[];
}

export interface ConfigDirectoryOptions {
  /** Quiet time after the last file event before reloading. Default 100 ms. */
  debounceMs?: number;
  /** Called after every reload the watcher triggers (not for `start` or explicit `reload`). */
  onReload?: (result: DirectoryLoadResult) => void;
}

export class ConfigDirectorySource {
  readonly dir: string;
  readonly owner: string;
  readonly #store: ConfigStore;
  readonly #debounceMs: number;
  readonly #onReload: (result: DirectoryLoadResult) => void;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #chain: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(store: ConfigStore, dir: string, options: ConfigDirectoryOptions = {}) {
    this.#store = store;
    this.dir = resolve(dir);
    this.owner = `dir:${this.dir}`;
    this.#debounceMs = options.debounceMs ?? 100;
    this.#onReload = options.onReload ?? (() => {});
  }

  /** Loads the directory once and starts watching it. Resolves with the first load's result. */
  async start(): Promise<DirectoryLoadResult> {
    const first = await this.reload();
    if (!this.#closed && !this.#watcher) {
      try {
        this.#watcher = watch(this.dir, { persistent: false }, (_event, file) => {
          if (file === null || CONFIG_FILE.test(String(file))) this.#schedule();
        });
        this.#watcher.on('error', (err) =>
          this.#onReload(failure(this.#store.version, [], `watching ${this.dir} failed: ${err.message}`)),
        );
      } catch (err) {
        first.errors.push(issue(this.dir, `cannot watch the config directory: ${(err as Error).message}`));
      }
    }
    return first;
  }

  /** Reads every config file and applies them as one set. Reloads never overlap. */
  reload(): Promise<DirectoryLoadResult> {
    const run = this.#chain.then(() => this.#load());
    this.#chain = run.catch(() => undefined);
    return run;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  #schedule(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#closed) return;
      void this.reload().then((result) => {
        if (!this.#closed) this.#onReload(result);
      });
    }, this.#debounceMs);
  }

  async #load(): Promise<DirectoryLoadResult> {
    let files: string[];
    try {
      files = (await readdir(this.dir, { withFileTypes: true }))
        .filter((e) => e.isFile() && CONFIG_FILE.test(e.name) && !e.name.startsWith('.'))
        .map((e) => e.name)
        .sort();
    } catch (err) {
      return failure(
        this.#store.version,
        [],
        `cannot read the config directory ${this.dir}: ${(err as Error).message}`,
      );
    }
    const all: LoadedConfig = { objects: [], skipped: [], errors: [], warnings: [] };
    for (const file of files) {
      let text: string;
      try {
        text = await readFile(join(this.dir, file), 'utf8');
      } catch (err) {
        // A file removed between readdir and readFile is simply gone; the watcher reloads again.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        all.errors.push(issue(file, `cannot read: ${(err as Error).message}`));
        continue;
      }
      const loaded = loadConfigText(text, { source: file, validator: this.#store.validator });
      const path = join(this.dir, file);
      all.objects.push(...loaded.objects.map((o) => markFile(o, path)));
      all.skipped.push(...loaded.skipped);
      all.errors.push(...loaded.errors);
      all.warnings.push(...loaded.warnings);
    }
    if (all.errors.length > 0)
      return { ...failure(this.#store.version, files), errors: all.errors, warnings: all.warnings };
    try {
      const r = await this.#store.replaceOwned(this.owner, all);
      return {
        ok: true,
        version: r.version,
        files,
        changes: r.changes,
        errors: [],
        warnings: r.warnings,
        skipped: r.skipped,
      };
    } catch (err) {
      if (!(err instanceof ConfigRejectedError)) throw err;
      const errors = err.issues.filter((i) => i.severity === 'error');
      return { ...failure(this.#store.version, files), errors, warnings: all.warnings };
    }
  }
}

function markFile(o: AnyConfigObject, path: string): AnyConfigObject {
  const annotations = { ...o.metadata.annotations, [CONFIG_FILE_ANNOTATION]: path };
  return { ...o, metadata: { ...o.metadata, annotations } } as AnyConfigObject;
}

function issue(source: string, message: string): ConfigIssue {
  return { severity: 'error', document: source, path: '', message, source };
}

function failure(version: number, files: string[], message?: string): DirectoryLoadResult {
  return {
    ok: false,
    version,
    files,
    changes: [],
    errors: message ? [issue(files[0] ?? 'config directory', message)] : [],
    warnings: [],
    skipped: [],
  };
}
