// The transport to an xDS server from its bootstrap entry: a Unix domain socket (Istio's agent
// serves XDS at unix:///etc/istio/XDS), `tls` channel creds (gRFC A65) with a CA made for the
// test, and the errors for unreadable credential files.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Code, RpcError } from '@shoal/rpc';
import { makeTestCertificates } from '@shoal/testing';
import { AdsTestServer } from '../../test/ads-test-server.js';
import { endpointsAny, type TestEndpoints, testEndpointsType } from '../../test/test-resource-types.js';
import { WatchRecorder } from '../../test/watch-recorder.js';
import { parseBootstrap } from '../bootstrap.js';
import { CLUSTER_LOAD_ASSIGNMENT_TYPE_URL as EDS } from '../type-urls.js';
import { createServerTransport } from './server-transport.js';
import { XdsClient } from './xds-client.js';

const dir = mkdtempSync(join(tmpdir(), 'shoal-xds-transport-'));

/** The TLS tests make their CA with the openssl CLI. */
function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

function clientFor(server: object): XdsClient {
  const bootstrap = parseBootstrap({ xds_servers: [server] });
  return new XdsClient({ bootstrap }).registerResourceType(testEndpointsType);
}

async function firstUpdate(client: XdsClient): Promise<unknown> {
  const w = new WatchRecorder<TestEndpoints>();
  client.watch(EDS, 'a', w);
  return w.event(0);
}

describe('xDS server transports', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('talks to an ADS server behind a Unix domain socket', async () => {
    const ads = await new AdsTestServer().start();
    ads.set(EDS, '1', { a: endpointsAny('a', '10.0.0.1:80') });
    // A socket in front of the server, as Istio's agent proxies istiod.
    const path = join(dir, 'XDS');
    const [host, port] = ads.address.split(':');
    const proxy = net.createServer((socket) => {
      const upstream = net.connect(Number(port), host);
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    await new Promise<void>((r) => proxy.listen(path, r));
    const client = clientFor({ server_uri: `unix://${path}`, channel_creds: [{ type: 'insecure' }] });
    try {
      assert.deepEqual(await firstUpdate(client), {
        kind: 'update',
        value: { cluster: 'a', addresses: ['10.0.0.1:80'] },
      });
    } finally {
      await client.close();
      await ads.stop();
      proxy.close();
    }
  });

  it('names an unreadable credential file', () => {
    const [server] = parseBootstrap({
      xds_servers: [
        {
          server_uri: 'localhost:1',
          channel_creds: [{ type: 'tls', config: { ca_certificate_file: '/nope/ca.pem' } }],
        },
      ],
    }).xdsServers;
    assert.throws(
      () => createServerTransport(server!, () => {}),
      (e: unknown) =>
        e instanceof RpcError &&
        e.code === Code.FAILED_PRECONDITION &&
        /xDS server localhost:1: channel_creds tls: cannot read ca_certificate_file \/nope\/ca\.pem/.test(
          e.rawMessage,
        ),
    );
  });

  describe('tls channel creds', { skip: hasOpenssl() ? false : 'the openssl CLI is not installed' }, () => {
    let ads: AdsTestServer;
    let caFile = '';
    before(async () => {
      const certs = makeTestCertificates({ keyType: 'ec' });
      caFile = join(certs.dir, 'ca.pem');
      ads = await new AdsTestServer({ key: certs.key, cert: certs.cert }).start();
      ads.set(EDS, '1', { a: endpointsAny('a', '10.0.0.2:80') });
    });
    after(() => ads.stop());

    it('connects with the CA from ca_certificate_file', async () => {
      const client = clientFor({
        server_uri: ads.address.replace('127.0.0.1', 'localhost'),
        channel_creds: [{ type: 'tls', config: { ca_certificate_file: caFile } }],
      });
      try {
        assert.equal(((await firstUpdate(client)) as { kind: string }).kind, 'update');
      } finally {
        await client.close();
      }
    });

    it('reports an untrusted server as a connectivity error', async () => {
      const client = clientFor({
        server_uri: ads.address.replace('127.0.0.1', 'localhost'),
        channel_creds: [{ type: 'tls' }], // system CAs do not know the test CA
      });
      try {
        const w = new WatchRecorder<TestEndpoints>();
        client.watch(EDS, 'a', w);
        const e = await w.event(0);
        assert.ok(e.kind === 'error');
        assert.equal(e.error.code, Code.UNAVAILABLE);
        assert.match(
          e.error.rawMessage,
          /^xDS server localhost:\d+: stream closed: .*(certificate|self.signed|issuer)/i,
        );
      } finally {
        await client.close();
      }
    });
  });
});
