// Test support: a throwaway mesh CA and one workload certificate (a SPIFFE ID, localhost and
// 127.0.0.1 as SANs; RSA 2048, as Istio's CA issues by default), made with the openssl CLI, so two
// proxies can talk mutual TLS to each other as Istio's sidecars do.

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MeshCertificateFiles {
  ca: string;
  key: string;
  cert: string;
}

/** Writes ca.pem, workload.key and workload.pem into `dir` and returns their paths. */
export function makeMeshCertificates(
  dir: string,
  spiffeId = 'spiffe://cluster.local/ns/default/sa/bench',
): MeshCertificateFiles {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/O=cluster.local',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  );
  run(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/O=cluster.local',
    '-keyout',
    'workload.key',
    '-out',
    'workload.csr',
  );
  writeFileSync(
    join(dir, 'ext.cnf'),
    `subjectAltName=URI:${spiffeId},DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n`,
  );
  run(
    'x509',
    '-req',
    '-in',
    'workload.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    'ext.cnf',
    '-out',
    'workload.pem',
  );
  return { ca: join(dir, 'ca.pem'), key: join(dir, 'workload.key'), cert: join(dir, 'workload.pem') };
}
