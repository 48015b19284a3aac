// Writes a workload's certificate files so that file_watcher readers never see a key and a
// certificate of different generations, the way Kubernetes updates the Secret volumes Istio
// mounts: each generation is a directory of its own (`..gen-XXXX`), `..data` is a symlink to the
// current one, and cert-chain.pem, key.pem and root-cert.pem are symlinks through `..data`. A
// renewal writes a whole new generation, then swaps `..data` with one atomic rename. This matters
// for grpc-js, which does not check that the pair matches: it would fail its connections until its
// next refresh (C-core, grpc-go and Shoal keep the old pair). The previous generation is kept until
// the next renewal, so a reader halfway through resolving the old path still finds its files.

import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import type { CertificateMaterial } from '@shoal/xds/plugins';
import { CERT_FILES } from './agent-bootstrap.js';

const DATA = '..data';
const GENERATION_PREFIX = '..gen-';

export function writeCertFiles(dir: string, material: CertificateMaterial): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const previous = currentGeneration(dir);
  const generation = mkdtempSync(join(dir, GENERATION_PREFIX));
  writeFileSync(join(generation, CERT_FILES.key), material.privateKey ?? '', { mode: 0o600 });
  writeFileSync(join(generation, CERT_FILES.chain), material.certChain ?? '', { mode: 0o644 });
  if (material.roots) writeFileSync(join(generation, CERT_FILES.root), material.roots, { mode: 0o644 });
  else if (previous && existsSync(join(dir, previous, CERT_FILES.root)))
    copyFileSync(join(dir, previous, CERT_FILES.root), join(generation, CERT_FILES.root));

  replaceWithSymlink(join(dir, DATA), basename(generation));
  for (const name of Object.values(CERT_FILES)) {
    const path = join(dir, name);
    const target = join(DATA, name);
    if (!isSymlinkTo(path, target)) replaceWithSymlink(path, target);
  }
  for (const entry of readdirSync(dir))
    if (entry.startsWith(GENERATION_PREFIX) && entry !== basename(generation) && entry !== previous)
      rmSync(join(dir, entry), { recursive: true, force: true });
}

function currentGeneration(dir: string): string | undefined {
  try {
    return readlinkSync(join(dir, DATA));
  } catch {
    return undefined;
  }
}

function isSymlinkTo(path: string, target: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink() && readlinkSync(path) === target;
  } catch {
    return false;
  }
}

/** Points `path` at `target` in one atomic step, whatever was at `path` before. */
function replaceWithSymlink(path: string, target: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  rmSync(temp, { force: true });
  symlinkSync(target, temp);
  renameSync(temp, path);
}
