// `shoal cp` with an HTTPS admin API (--admin-tls-cert/--admin-tls-key), reached by the config
// verbs at https://… with SHOAL_ADMIN_CA; and a non-loopback --admin-host refused without TLS.

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ShoalCpProcess, selfSignedCertificate, shoal } from '@shoal/testing';

describe('shoal cp with an HTTPS admin API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-admin-tls-'));
  let cp: ShoalCpProcess | undefined;
  after(() => cp?.stop());

  it('serves the config verbs over HTTPS, verified with SHOAL_ADMIN_CA', async () => {
    const cert = selfSignedCertificate(dir, 'admin', {
      subject: '/CN=shoal-admin',
      keyType: 'ec',
      extensions: 'subjectAltName=IP:127.0.0.1',
    });
    // Its data dir where the verbs below (run in dir) look for the admin token.
    cp = await ShoalCpProcess.start([
      '--data-dir',
      join(dir, '.shoal'),
      '--admin-tls-cert',
      cert.certFile,
      '--admin-tls-key',
      cert.keyFile,
    ]);
    const admin = cp.adminUrl;
    assert.match(admin, /^https:\/\//);
    const env = { ...process.env, SHOAL_ADMIN_CA: cert.certFile };
    const get = await shoal(['get', 'vs', '--admin', admin], { cwd: dir, env });
    assert.equal(get.code, 0, get.stderr);
    const token = await shoal(
      ['token', 'create', '-n', 'default', '--service-account', 'x', '--admin', admin],
      { cwd: dir, env },
    );
    assert.equal(token.code, 0, token.stderr);
    const untrusted = await shoal(['get', 'vs', '--admin', admin], { cwd: dir });
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.stderr, /cannot reach the control plane's admin API .*(SELF_SIGNED|DEPTH_ZERO)/);
  });

  it('refuses a non-loopback --admin-host without TLS or --admin-insecure', async () => {
    const r = await shoal(['cp', '--xds-port', '0', '--admin-port', '0', '--admin-host', '0.0.0.0'], {
      cwd: dir,
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the admin API would listen on 0\.0\.0\.0 without TLS/);
  });
});
