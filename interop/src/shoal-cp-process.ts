// Test support: `shoal cp` as a process, as a user runs it: ports chosen by the system, addresses
// read from what it prints, stopped with SIGTERM. Also runs other `shoal` verbs against it.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SHOAL = fileURLToPath(new URL('../../packages/cli/bin/shoal.js', import.meta.url));

export class ShoalCpProcess {
  private constructor(
    private readonly child: ChildProcess,
    /** `127.0.0.1:PORT` of the ADS server. */
    readonly xds: string,
    /** `127.0.0.1:PORT` of the admin API. */
    readonly admin: string,
    private readonly log: () => string,
    /** Its data dir, where its admin token is. */
    readonly dataDir: string,
  ) {}

  /**
   * `shoal cp --xds-port 0 --admin-port 0 ARGS` on a data dir of its own (not ./.shoal, which
   * another run would load), once it prints where it listens.
   */
  static async start(args: readonly string[] = []): Promise<ShoalCpProcess> {
    const dataDir = mkdtempSync(join(tmpdir(), 'shoal-cp-'));
    const child = spawn(process.execPath, [
      SHOAL,
      'cp',
      '--data-dir',
      dataDir,
      '--xds-port',
      '0',
      '--admin-port',
      '0',
      ...args,
    ]);
    child.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
    let output = '';
    const addresses = await new Promise<[string, string]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`shoal cp did not start: ${output}`)), 15_000);
      child.stderr!.on('data', (c) => (output += c));
      child.stdout!.on('data', (c) => {
        output += c;
        const m = /xDS \(ADS\) on ([\d.]+:\d+), admin API on http:\/\/([\d.]+:\d+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve([m[1]!, m[2]!]);
        }
      });
      child.once('exit', () => reject(new Error(`shoal cp exited: ${output}`)));
    });
    return new ShoalCpProcess(child, ...addresses, () => output, dataDir);
  }

  /** Everything it printed so far. */
  get output(): string {
    return this.log();
  }

  get xdsPort(): number {
    return Number(this.xds.split(':')[1]);
  }

  /** Applies YAML through the admin API; throws with the control plane's errors. */
  async apply(yaml: string): Promise<void> {
    const res = await fetch(`http://${this.admin}/api/apply?source=interop`, {
      method: 'POST',
      body: yaml,
      headers: { authorization: `Bearer ${this.adminToken}`, 'content-type': 'application/yaml' },
    });
    if (res.status !== 200) throw new Error(`apply failed (${res.status}): ${await res.text()}`);
  }

  /** The admin token writes need, which it keeps in its data dir. */
  get adminToken(): string {
    return readFileSync(join(this.dataDir, 'admin-token'), 'utf8').trim();
  }

  /** Runs `shoal ARGS --admin ADDR` (with `input` on stdin); resolves with its exit code and output. */
  shoal(args: string[], input = ''): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = execFile(
        process.execPath,
        [SHOAL, ...args, '--admin', this.admin],
        { timeout: 30_000, env: { ...process.env, SHOAL_DATA_DIR: this.dataDir } },
        (err, stdout, stderr) =>
          resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      child.stdin!.end(input);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    await once(this.child, 'exit');
  }
}
