// @shoal/testing: test support that the workspace's tests share across packages, which cannot
// import each other's test/ folders. Private, never published; packages list it in their
// devDependencies and only their tests import it.

/** Tools nobody here wrote (nghttpx, nginx, h2o, nghttpd) as child processes on loopback ports. */
export { Daemon, type DaemonOptions } from './daemon.js';
/** Ports, temporary directories and polling. */
export { freePort } from './free-port.js';
/** Random protobuf-es messages of any schema, seeded, for codec property tests. */
export { type RandomMessageOptions, randomMessage, seededRandom } from './random-message.js';
/** The real `shoal` binary: one verb, or `shoal cp` in the background. */
export {
  ShoalCpProcess,
  type ShoalResult,
  shoal,
  shoalBin,
  spawnShoal,
  systemPorts,
} from './shoal-cp-process.js';
/** Where calls landed, by provider. */
export { tally } from './tally.js';
export { tempDir } from './temp-dir.js';
/** Throwaway certificates made with the openssl CLI. */
export {
  type CertificateOptions,
  issueCertificate,
  type MeshCertificateFiles,
  makeClientCertificate,
  makeMeshCertificates,
  makeTestCertificates,
  selfSignedCertificate,
  type TestCertificate,
  type TestCertificates,
  type TestKeyType,
} from './test-certificates.js';
export { waitFor } from './wait-for.js';
