// Writes a workload's certificate files the way file_watcher readers can rely on: every file is
// written to a temporary name first, then all are renamed into place back to back (each rename
// atomic), so a reader that reads the set while it changes sees a mismatched key and certificate
// for microseconds at most (gRPC's C-core and Shoal's readers then keep the old pair; grpc-js
// fails that read's connections until its next refresh). The key is owner-only.

import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CertificateMaterial } from '@shoal/xds/plugins';
import { CERT_FILES } from './agent-bootstrap.js';

export function writeCertFiles(dir: string, material: CertificateMaterial): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files: [name: string, content: string, mode: number][] = [
    ...(material.roots ? [[CERT_FILES.root, material.roots, 0o644] as [string, string, number]] : []),
    [CERT_FILES.key, material.privateKey ?? '', 0o600],
    [CERT_FILES.chain, material.certChain ?? '', 0o644],
  ];
  const temp = (name: string) => join(dir, `.${name}.${process.pid}.tmp`);
  for (const [name, content, mode] of files) writeFileSync(temp(name), content, { mode });
  for (const [name] of files) renameSync(temp(name), join(dir, name));
}
