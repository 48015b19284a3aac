import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeTestRoot } from '../../test/test-identity.js';
import type { CertificateMaterial } from './certificate-provider.js';
import { FileWatcherProvider, parseFileWatcherConfig } from './file-watcher-provider.js';

const URI = 'spiffe://cluster.local/ns/default/sa/greeter';

/** Writes a file the way an agent does: a temporary file, then a rename. */
function put(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

/** The next material, or a rejection after ms (the timer also keeps the test's event loop alive). */
function next(provider: FileWatcherProvider, ms = 3000): Promise<CertificateMaterial> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no new material in ${ms} ms`)), ms);
    const stop = provider.watch((m) => {
      clearTimeout(timer);
      stop();
      resolve(m);
    });
  });
}

describe('file_watcher certificate provider', () => {
  it('reads the files, and again as soon as an agent rotates them', async () => {
    const root = await makeTestRoot();
    const dir = mkdtempSync(join(tmpdir(), 'shoal-fw-'));
    const files = {
      cert: join(dir, 'cert-chain.pem'),
      key: join(dir, 'key.pem'),
      root: join(dir, 'root-cert.pem'),
    };
    const first = await root.issue(URI);
    put(files.cert, first.cert);
    put(files.key, first.key);
    put(files.root, root.cert);
    // A long refresh interval: the change must be seen through the folder watch.
    const config = parseFileWatcherConfig(
      {
        certificate_file: files.cert,
        private_key_file: files.key,
        ca_certificate_file: files.root,
        refresh_interval: '900s',
      },
      'test',
    );
    const provider = new FileWatcherProvider('default', config);
    try {
      const m = await provider.ready(2000);
      assert.deepEqual(m.identity?.uriSans, [URI]);
      assert.equal(m.rootSummaries.length, 1);
      const serial = m.identity!.serialNumber;

      // Mid-rotation the key no longer matches: the old material stays, the error is kept.
      const second = await root.issue(URI);
      const changed = next(provider);
      put(files.key, second.key);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(provider.current()?.identity?.serialNumber, serial);
      assert.match(provider.lastError ?? '', /private key does not belong to the certificate/);
      put(files.cert, second.cert);
      const rotated = await changed;
      assert.notEqual(rotated.identity?.serialNumber, serial);
      assert.equal(rotated.privateKey, second.key);
      assert.equal(provider.lastError, undefined);
    } finally {
      provider.close();
    }
  });

  it('waits for files that are not there yet, and says why it has none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-fw-'));
    const provider = new FileWatcherProvider(
      'default',
      parseFileWatcherConfig(
        { ca_certificate_file: join(dir, 'root-cert.pem'), refresh_interval: '0.2s' },
        'test',
      ),
    );
    try {
      await assert.rejects(
        provider.ready(300),
        /certificate provider "default" \(file_watcher\) has no certificate after 300 ms: .*ENOENT/,
      );
      const root = await makeTestRoot();
      const arrived = next(provider);
      put(join(dir, 'root-cert.pem'), root.cert);
      const m = await arrived;
      assert.equal(m.identity, undefined);
      assert.equal(m.roots, root.cert);
    } finally {
      provider.close();
    }
  });

  it('rejects configs gRPC would reject, naming the field', () => {
    assert.throws(
      () => parseFileWatcherConfig({}, 'p'),
      /p: needs certificate_file and private_key_file, or ca_certificate_file/,
    );
    assert.throws(() => parseFileWatcherConfig({ certificate_file: 'a' }, 'p'), /must be set together/);
    assert.throws(
      () => parseFileWatcherConfig({ ca_certificate_file: 'a', refresh_interval: '10m' }, 'p'),
      /p\.refresh_interval/,
    );
    assert.throws(
      () => parseFileWatcherConfig({ ca_certificate_file: 3 }, 'p'),
      /p\.ca_certificate_file: must be a file path/,
    );
    assert.equal(parseFileWatcherConfig({ ca_certificate_file: 'a' }, 'p').refreshIntervalMs, 600_000);
  });
});
