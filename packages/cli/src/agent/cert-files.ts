// Writes a workload's certificate files the way file_watcher readers can rely on: each file
// replaced atomically (a temporary file, then a rename), the key owner-only, the key before the
// chain (a reader that sees the new key with the old chain finds they do not match and waits).

import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CertificateMaterial } from '@shoal/xds';
import { CERT_FILES } from './agent-bootstrap.js';

export function writeCertFiles(dir: string, material: CertificateMaterial): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const put = (name: string, content: string, mode: number) => {
    const temp = join(dir, `.${name}.${process.pid}.tmp`);
    writeFileSync(temp, content, { mode });
    renameSync(temp, join(dir, name));
  };
  if (material.roots) put(CERT_FILES.root, material.roots, 0o644);
  put(CERT_FILES.key, material.privateKey ?? '', 0o600);
  put(CERT_FILES.chain, material.certChain ?? '', 0o644);
}
