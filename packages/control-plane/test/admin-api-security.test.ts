// The admin API as an attacker and as the CLI meet it: the curl from issue 11 (a cross-origin,
// text/plain POST) is refused and changes nothing; writes need the token from the data dir, which
// survives a restart; a non-loopback bind without TLS does not start.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ControlPlane } from '../src/control-plane.js';

const run = promisify(execFile);

const vs = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
`;

describe('admin API hardening, end to end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-admin-'));
  const dataDir = join(dir, 'data');
  const file = join(dir, 'vs.yaml');
  writeFileSync(file, vs);
  const cp = new ControlPlane({ xdsPort: 0, adminPort: 0, dataDir });
  let admin = '';

  before(async () => {
    const { admin: a } = await cp.start();
    admin = `${a.host}:${a.port}`;
  });
  after(() => cp.stop(0));

  /** curl's status code and body. */
  async function curl(...args: string[]): Promise<{ status: number; body: string }> {
    const { stdout } = await run('curl', ['-s', '-w', '\n%{http_code}', ...args]);
    const i = stdout.lastIndexOf('\n');
    return { status: Number(stdout.slice(i + 1)), body: stdout.slice(0, i) };
  }

  it('creates the admin token in the data dir, owner-only', () => {
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    assert.equal(token, cp.adminToken);
    assert.ok(token.length >= 40);
    assert.equal(statSync(join(dataDir, 'admin-token')).mode & 0o777, 0o600);
    assert.equal(statSync(dataDir).mode & 0o777, 0o700);
  });

  it("refuses the issue's curl (another Origin, text/plain) and applies nothing", async () => {
    const version = cp.store.version;
    const res = await curl(
      '-X',
      'POST',
      '-H',
      'Origin: http://evil.example',
      '-H',
      'content-type: text/plain',
      '--data-binary',
      `@${file}`,
      `http://${admin}/api/apply`,
    );
    assert.equal(res.status, 403);
    assert.match(JSON.parse(res.body).error, /cross-origin request refused/);
    assert.equal(cp.store.version, version);
    assert.equal(cp.store.list('VirtualService').length, 0);
  });

  it('refuses the same POST without an Origin: no token, then the wrong content type', async () => {
    const noToken = await curl(
      '-X',
      'POST',
      '-H',
      'content-type: application/yaml',
      '--data-binary',
      `@${file}`,
      `http://${admin}/api/apply`,
    );
    assert.equal(noToken.status, 401);
    const auth = `Authorization: Bearer ${cp.adminToken}`;
    const plain = await curl(
      '-X',
      'POST',
      '-H',
      auth,
      '-H',
      'content-type: text/plain',
      '--data-binary',
      `@${file}`,
      `http://${admin}/api/apply`,
    );
    assert.equal(plain.status, 415);
    assert.equal(cp.store.list('VirtualService').length, 0);
    const ok = await curl(
      '-X',
      'POST',
      '-H',
      auth,
      '-H',
      'content-type: application/yaml',
      '--data-binary',
      `@${file}`,
      `http://${admin}/api/apply`,
    );
    assert.equal(ok.status, 200, ok.body);
    assert.equal(cp.store.list('VirtualService').length, 1);
  });

  it('refuses a rebound host name, also for reads', async () => {
    const res = await curl('-H', 'Host: evil.example', `http://${admin}/api/config`);
    assert.equal(res.status, 403);
    assert.match(JSON.parse(res.body).error, /is not this admin API/);
    assert.equal((await curl(`http://${admin}/api/config`)).status, 200);
  });

  it('checks the token before routing: an unknown write endpoint is 401, not 404', async () => {
    assert.equal((await curl('-X', 'DELETE', `http://${admin}/api/config/vs/default/reviews`)).status, 401);
    assert.equal((await curl('-X', 'POST', `http://${admin}/api/no-such-thing`)).status, 401);
    assert.equal(cp.store.list('VirtualService').length, 1);
  });

  it('keeps the token across restarts of the same data dir', async () => {
    const again = new ControlPlane({ xdsPort: 0, adminPort: 0, dataDir });
    assert.equal(again.adminToken, cp.adminToken);
    const other = new ControlPlane({ xdsPort: 0, adminPort: 0 });
    assert.notEqual(other.adminToken, cp.adminToken);
  });

  it('serves HTTPS with --admin-tls-cert/--admin-tls-key, and the token still guards writes', async () => {
    const issued = await cp.ca!.issueServerCertificate({ dns: ['localhost'], ips: ['127.0.0.1'] }, 3600);
    const secure = new ControlPlane({
      xdsPort: 0,
      adminPort: 0,
      adminTls: { cert: issued.chain.slice(0, -1).join(''), key: issued.privateKey },
    });
    const { admin: a } = await secure.start();
    try {
      assert.equal(a.scheme, 'https');
      const caFile = join(dir, 'admin-ca.pem');
      writeFileSync(caFile, cp.ca!.rootPem);
      const url = `https://127.0.0.1:${a.port}`;
      assert.equal((await curl('--cacert', caFile, `${url}/api/config`)).status, 200);
      assert.equal(
        (await curl('--cacert', caFile, '-X', 'DELETE', `${url}/api/config/vs/default/x`)).status,
        401,
      );
      const plain = await curl(`http://127.0.0.1:${a.port}/api/config`).catch(() => ({ status: 0 }));
      assert.notEqual(plain.status, 200, 'no plaintext on the HTTPS port');
    } finally {
      await secure.stop(0);
    }
  });

  it('does not start on a non-loopback admin address without TLS', async () => {
    const open = new ControlPlane({ xdsPort: 0, adminPort: 0, adminHost: '0.0.0.0' });
    await assert.rejects(open.start(), /admin API would listen on 0\.0\.0\.0 without TLS.*--admin-insecure/);
  });
});
