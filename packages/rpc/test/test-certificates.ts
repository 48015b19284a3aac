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

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A self-signed CA: `<name>.pem` and `<name>.key` in dir. */
function makeCa(dir: string, name: string): void {
  openssl(
    dir,
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
  );
}

/** `<name>.pem` and `<name>.key` signed by the CA `<ca>.pem`, with the extensions given. */
function issue(dir: string, name: string, ca: string, extensions: string): void {
  openssl(
    dir,
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
  writeFileSync(join(dir, `${name}.cnf`), extensions);
  openssl(
    dir,
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    `${name}.cnf`,
    '-out',
    `${name}.pem`,
  );
}

export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-tls-'));
  makeCa(dir, 'ca');
  issue(dir, 'server', 'ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
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
  let ca = 'ca';
  if (selfCa) {
    ca = `${name}-ca`;
    makeCa(certs.dir, ca);
  }
  issue(certs.dir, name, ca, `subjectAltName=URI:${uri}\nextendedKeyUsage=clientAuth,serverAuth\n`);
  const read = (file: string) => readFileSync(join(certs.dir, file), 'utf8');
  return { key: read(`${name}.key`), cert: read(`${name}.pem`) };
}
