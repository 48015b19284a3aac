// Throwaway certificates for tests, made with the openssl CLI (Debian's `openssl`): self-signed
// CAs, certificates a CA issues with the extensions a test asks for (X.509 v3 extension syntax,
// `man x509v3_config`), and the sets the suites use: a server certificate for
// 127.0.0.1/localhost, client certificates with a SPIFFE URI SAN, and a mesh workload certificate
// as Istio's CA issues it (RSA 2048, a SPIFFE ID, serverAuth and clientAuth).

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp-dir.js';

/** RSA 2048, or EC on P-256 (quicker to make). */
export type TestKeyType = 'rsa' | 'ec';

/** A key and certificate that openssl wrote into `dir` as `<name>.key` and `<name>.pem`. */
export interface TestCertificate {
  dir: string;
  name: string;
  keyFile: string;
  certFile: string;
  /** PEM. */
  key: string;
  /** PEM. */
  cert: string;
}

export interface CertificateOptions {
  /** The subject, `/CN=<name>` by default. */
  subject?: string;
  keyType?: TestKeyType;
  /** Days it is valid (default 1). */
  days?: number;
  /** X.509 v3 extensions, one per line (`subjectAltName=IP:127.0.0.1`). */
  extensions?: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function newKeyArgs(keyType: TestKeyType = 'rsa'): string[] {
  return keyType === 'ec'
    ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']
    : ['-newkey', 'rsa:2048'];
}

function written(dir: string, name: string): TestCertificate {
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.pem`);
  return {
    dir,
    name,
    keyFile,
    certFile,
    key: readFileSync(keyFile, 'utf8'),
    cert: readFileSync(certFile, 'utf8'),
  };
}

/** A self-signed certificate (a CA, or a server nobody vouches for): `<name>.key`, `<name>.pem`. */
export function selfSignedCertificate(
  dir: string,
  name: string,
  options: CertificateOptions = {},
): TestCertificate {
  const extensions = (options.extensions ?? '').split('\n').filter((line) => line !== '');
  openssl(dir, [
    'req',
    '-x509',
    ...newKeyArgs(options.keyType),
    '-nodes',
    '-days',
    String(options.days ?? 1),
    '-subj',
    options.subject ?? `/CN=${name}`,
    ...extensions.flatMap((e) => ['-addext', e]),
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
  ]);
  return written(dir, name);
}

/** A certificate `<name>.pem` (key `<name>.key`) issued by `ca`, which must be in the same dir. */
export function issueCertificate(
  ca: TestCertificate,
  name: string,
  options: CertificateOptions = {},
): TestCertificate {
  const dir = ca.dir;
  openssl(dir, [
    'req',
    ...newKeyArgs(options.keyType),
    '-nodes',
    '-subj',
    options.subject ?? `/CN=${name}`,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
  ]);
  writeFileSync(join(dir, `${name}.cnf`), options.extensions ?? '');
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    ca.certFile,
    '-CAkey',
    ca.keyFile,
    '-CAcreateserial',
    '-days',
    String(options.days ?? 1),
    '-extfile',
    `${name}.cnf`,
    '-out',
    `${name}.pem`,
  ]);
  return written(dir, name);
}

/** A test CA and a server certificate for 127.0.0.1/localhost, as PEM. */
export interface TestCertificates {
  ca: string;
  key: string;
  cert: string;
  /** Where the PEM files are (ca.pem, server.key, server.pem), for tools that read files. */
  dir: string;
}

/** A throwaway CA (`ca.pem`) and a server certificate it issued for 127.0.0.1 and localhost. */
export function makeTestCertificates(options: { keyType?: TestKeyType } = {}): TestCertificates {
  const ca = selfSignedCertificate(tempDir('tls'), 'ca', options);
  const server = issueCertificate(ca, 'server', {
    ...options,
    subject: '/CN=localhost',
    extensions: 'subjectAltName=IP:127.0.0.1,DNS:localhost\n',
  });
  return { ca: ca.cert, key: server.key, cert: server.cert, dir: ca.dir };
}

/**
 * A client certificate with `uri` as its SAN, issued by the test CA of `certs`, or, with `selfCa`,
 * by a new CA nobody trusts.
 */
export function makeClientCertificate(
  certs: TestCertificates,
  name: string,
  uri: string,
  selfCa = false,
): { key: string; cert: string } {
  const ca = selfCa ? selfSignedCertificate(certs.dir, `${name}-ca`) : written(certs.dir, 'ca');
  const { key, cert } = issueCertificate(ca, name, {
    extensions: `subjectAltName=URI:${uri}\nextendedKeyUsage=clientAuth,serverAuth\n`,
  });
  return { key, cert };
}

/** Paths of a mesh CA and a workload's key and certificate. */
export interface MeshCertificateFiles {
  ca: string;
  key: string;
  cert: string;
}

/**
 * A mesh CA and one workload certificate (the SPIFFE ID, localhost and 127.0.0.1 as SANs; RSA
 * 2048, as Istio's CA issues by default), so two proxies can talk mutual TLS as Istio's sidecars
 * do. Writes ca.pem, workload.key and workload.pem into `dir`.
 */
export function makeMeshCertificates(
  dir: string,
  spiffeId = 'spiffe://cluster.local/ns/default/sa/bench',
): MeshCertificateFiles {
  const ca = selfSignedCertificate(dir, 'ca', { subject: '/O=cluster.local' });
  const workload = issueCertificate(ca, 'workload', {
    subject: '/O=cluster.local',
    extensions: `subjectAltName=URI:${spiffeId},DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n`,
  });
  return { ca: ca.certFile, key: workload.keyFile, cert: workload.certFile };
}
