// A throwaway CA and a server certificate for 127.0.0.1/localhost, made with the openssl CLI
// for the TLS tests, and client certificates (with a SPIFFE URI SAN) from that CA or from a
// CA of their own. Internal to tests.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  ca: string;
  key: string;
  cert: string;
  dir: string;
}

export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-tls-'));
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
    '/CN=shoal-test-ca',
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
    '/CN=localhost',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
  );
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run(
    'x509',
    '-req',
    '-in',
    'server.csr',
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
    'server.pem',
  );
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return { ca: read('ca.pem'), key: read('server.key'), cert: read('server.pem'), dir };
}

/**
 * A client certificate with `uri` as its SAN, signed by the test CA, or, with `selfCa`, by a new
 * CA nobody trusts.
 */
export function makeClientCertificate(
  certs: TestCertificates,
  name: string,
  uri: string,
  selfCa = false,
): { key: string; cert: string } {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: certs.dir, stdio: 'pipe' });
  let ca = 'ca.pem';
  let caKey = 'ca.key';
  if (selfCa) {
    ca = `${name}-ca.pem`;
    caKey = `${name}-ca.key`;
    run(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${name}-ca`,
      '-keyout',
      caKey,
      '-out',
      ca,
    );
  }
  run(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
  );
  writeFileSync(
    join(certs.dir, `${name}.cnf`),
    `subjectAltName=URI:${uri}\nextendedKeyUsage=clientAuth,serverAuth\n`,
  );
  run(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    ca,
    '-CAkey',
    caKey,
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    `${name}.cnf`,
    '-out',
    `${name}.pem`,
  );
  const read = (file: string) => readFileSync(join(certs.dir, file), 'utf8');
  return { key: read(`${name}.key`), cert: read(`${name}.pem`) };
}
