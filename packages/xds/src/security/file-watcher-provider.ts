// gRFC A29's `file_watcher` certificate provider, in the format Istio's grpc-agent writes:
// `certificate_file`, `private_key_file`, `ca_certificate_file` (at least the first pair or the
// last), `refresh_interval` (a protobuf JSON duration, default 600s). The files are re-read every
// refresh_interval and, sooner, when their folder changes. A set that does not belong together
// (a key written before its certificate, mid-rotation) is not taken: the last good one stays and
// the read is retried shortly.

import { type FSWatcher, readFileSync, watch } from 'node:fs';
import { dirname } from 'node:path';
import type { JsonObject } from '@bufbuild/protobuf';
import { certificateMaterial, ProviderBase, sameMaterial } from './certificate-provider.js';

export const FILE_WATCHER_PLUGIN = 'file_watcher';

export interface FileWatcherConfig {
  readonly certificateFile?: string;
  readonly privateKeyFile?: string;
  readonly caCertificateFile?: string;
  readonly refreshIntervalMs: number;
}

/** Reads the plug-in's JSON config; throws naming the field. */
export function parseFileWatcherConfig(config: JsonObject, where: string): FileWatcherConfig {
  const text = (key: string) => {
    const v = config[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || v === '') throw new Error(`${where}.${key}: must be a file path`);
    return v;
  };
  const certificateFile = text('certificate_file');
  const privateKeyFile = text('private_key_file');
  const caCertificateFile = text('ca_certificate_file');
  if ((certificateFile === undefined) !== (privateKeyFile === undefined))
    throw new Error(`${where}: certificate_file and private_key_file must be set together`);
  if (certificateFile === undefined && caCertificateFile === undefined)
    throw new Error(`${where}: needs certificate_file and private_key_file, or ca_certificate_file`);
  const refresh = text('refresh_interval') ?? '600s';
  const m = /^(\d+(?:\.\d+)?)s$/.exec(refresh);
  if (!m || Number(m[1]) <= 0)
    throw new Error(`${where}.refresh_interval: must be a duration such as "600s"`);
  return {
    ...(certificateFile && { certificateFile }),
    ...(privateKeyFile && { privateKeyFile }),
    ...(caCertificateFile && { caCertificateFile }),
    refreshIntervalMs: Number(m[1]) * 1000,
  };
}

const RETRY_MS = 100;
/** Quick retries after a failed read (2 s); then the next file event or refresh tries again. */
const MAX_RETRIES = 20;

export class FileWatcherProvider extends ProviderBase {
  readonly #config: FileWatcherConfig;
  readonly #watchers: FSWatcher[] = [];
  #interval: NodeJS.Timeout | undefined;
  #retry: NodeJS.Timeout | undefined;
  #retries = 0;

  constructor(instanceName: string, config: FileWatcherConfig) {
    super(instanceName, FILE_WATCHER_PLUGIN);
    this.#config = config;
    this.#read();
    this.#interval = setInterval(() => this.#read(), config.refreshIntervalMs);
    this.#interval.unref();
    const files = [config.certificateFile, config.privateKeyFile, config.caCertificateFile];
    for (const dir of new Set(files.filter((f) => f !== undefined).map((f) => dirname(f)))) {
      try {
        const w = watch(dir, { persistent: false }, () => this.#soon());
        w.on('error', () => {}); // the folder went away: the interval keeps trying
        this.#watchers.push(w);
      } catch {
        // No folder yet (an agent will write it): the interval reads it once it is there.
      }
    }
  }

  override close(): void {
    super.close();
    clearInterval(this.#interval);
    clearTimeout(this.#retry);
    for (const w of this.#watchers) w.close();
  }

  /** Coalesces a burst of file events (an agent writes three files) into one read. */
  #soon(): void {
    if (this.closed) return;
    clearTimeout(this.#retry);
    this.#retries = 0;
    this.#retry = setTimeout(() => this.#read(), 20);
    this.#retry.unref();
  }

  #read(): void {
    if (this.closed) return;
    const c = this.#config;
    const where = `certificate provider ${JSON.stringify(this.instanceName)} (file_watcher)`;
    try {
      const read = (file: string | undefined) =>
        file === undefined ? undefined : readFileSync(file, 'utf8');
      const material = certificateMaterial(
        {
          ...(c.certificateFile && { certChain: read(c.certificateFile) }),
          ...(c.privateKeyFile && { privateKey: read(c.privateKeyFile) }),
          ...(c.caCertificateFile && { roots: read(c.caCertificateFile) }),
        },
        where,
      );
      this.#retries = 0;
      if (!sameMaterial(this.current(), material)) this.publish(material);
    } catch (err) {
      this.fail((err as Error).message);
      if (++this.#retries > MAX_RETRIES) return;
      clearTimeout(this.#retry);
      this.#retry = setTimeout(() => this.#read(), RETRY_MS);
      this.#retry.unref();
    }
  }
}
