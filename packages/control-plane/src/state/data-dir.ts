// The control plane's data directory (`--data-dir`, default `./.shoal`): the admin token, the CA
// root and tokens, and later the applied config. Secrets are written owner-only (0600, the folder
// 0700), and every write replaces its file atomically, so a crash never leaves half a key.

import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where `shoal cp` keeps its state unless told otherwise. */
export const DEFAULT_DATA_DIR = '.shoal';
/** The environment variable naming the data dir for the CLI. */
export const DATA_DIR_ENV = 'SHOAL_DATA_DIR';
/** The admin API's bearer token, in the data dir. */
export const ADMIN_TOKEN_FILE = 'admin-token';

/** The data dir a command means: the flag, else SHOAL_DATA_DIR, else `./.shoal`. */
export function resolveDataDir(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  return resolve(flag ?? (env[DATA_DIR_ENV] || DEFAULT_DATA_DIR));
}

/** The control plane's data dir (`--data-dir`): the files that survive a restart. */
export class DataDir {
  readonly path: string;

  constructor(path: string) {
    this.path = resolve(path);
  }

  /** Creates the folder (owner-only) if it does not exist; fails clearly if it is not a folder. */
  ensure(): this {
    mkdirSync(this.path, { recursive: true, mode: 0o700 });
    if (!statSync(this.path).isDirectory()) throw new Error(`data dir ${this.path} is not a directory`);
    return this;
  }

  file(name: string): string {
    return join(this.path, name);
  }

  /** The file's text, or undefined when it does not exist. */
  read(name: string): string | undefined {
    try {
      return readFileSync(this.file(name), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`data dir: cannot read ${this.file(name)}: ${(err as Error).message}`);
    }
  }

  /** Replaces the file atomically (write a temporary file, then rename); owner-only by default. */
  write(name: string, content: string | Uint8Array, mode = 0o600): void {
    this.ensure();
    const target = this.file(name);
    const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temp, content, { mode });
    chmodSync(temp, mode);
    renameSync(temp, target);
  }

  /** The file's text, created with `make()` the first time. */
  readOrCreate(name: string, make: () => string, mode = 0o600): string {
    const existing = this.read(name);
    if (existing !== undefined) return existing;
    const content = make();
    this.write(name, content, mode);
    return content;
  }
}

/** A random secret for bearer tokens: 32 bytes, base64url. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}
