import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { CertificateMaterial } from '@shoal/xds/plugins';
import { writeCertFiles } from './cert-files.js';

const material = (n: number, roots = true) =>
  ({
    certChain: `chain ${n}\n`,
    privateKey: `key ${n}\n`,
    ...(roots && { roots: `root ${n}\n` }),
  }) as unknown as CertificateMaterial;

const read = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8');
const generations = (dir: string) => readdirSync(dir).filter((e) => e.startsWith('..gen-'));

describe('writeCertFiles', () => {
  it('replaces a whole generation at once and keeps only the previous one besides', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'shoal-certs-')), 'certs');
    for (let n = 1; n <= 4; n++) {
      writeCertFiles(dir, material(n));
      assert.deepEqual(
        [read(dir, 'cert-chain.pem'), read(dir, 'key.pem'), read(dir, 'root-cert.pem')],
        [`chain ${n}\n`, `key ${n}\n`, `root ${n}\n`],
      );
      assert.equal(generations(dir).length, Math.min(n, 2));
    }
    assert.ok(lstatSync(join(dir, 'key.pem')).isSymbolicLink());
    assert.equal(statSync(join(dir, 'key.pem')).mode & 0o777, 0o600);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
  });

  it('turns files of the earlier layout into links, and keeps the root when a renewal has none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-certs-'));
    for (const name of ['cert-chain.pem', 'key.pem', 'root-cert.pem']) writeFileSync(join(dir, name), 'old');
    writeCertFiles(dir, material(1));
    writeCertFiles(dir, material(2, false));
    assert.equal(read(dir, 'cert-chain.pem'), 'chain 2\n');
    assert.equal(read(dir, 'root-cert.pem'), 'root 1\n');
    assert.ok(lstatSync(join(dir, 'cert-chain.pem')).isSymbolicLink());
  });
});
