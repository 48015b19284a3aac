import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parseBootstrap } from '../bootstrap.js';
import { CertificateProviders } from './certificate-providers.js';
import { FileWatcherProvider } from './file-watcher-provider.js';

const istio = resolve(import.meta.dirname, '../../../../../../shared/testdata/istio');

describe('CertificateProviders', () => {
  it("makes Istio grpc-agent's default file_watcher instance once, and names what is missing", () => {
    const json = JSON.parse(
      readFileSync(resolve(istio, 'pkg-istio-agent-testdata-grpc-bootstrap.json'), 'utf8'),
    );
    const providers = new CertificateProviders(parseBootstrap(json, 'agent'));
    try {
      const p = providers.get('default');
      assert.ok(p instanceof FileWatcherProvider);
      assert.equal(providers.get('default'), p);
      assert.match(p.lastError ?? '', /\/cert\/path\/cert-chain\.pem/);
      assert.throws(
        () => providers.get('other'),
        /instance "other" is not in the bootstrap's certificate_providers \(it has default\)/,
      );
    } finally {
      providers.close();
    }
  });

  it('refuses an unknown plug-in and a bad config with the field path', () => {
    const bootstrap = parseBootstrap({
      xds_servers: [{ server_uri: 'localhost:1', channel_creds: [{ type: 'insecure' }] }],
      certificate_providers: {
        vault: { plugin_name: 'vault_pki', config: {} },
        broken: { plugin_name: 'file_watcher', config: { certificate_file: '/x' } },
      },
    });
    const providers = new CertificateProviders(bootstrap);
    assert.throws(
      () => providers.get('vault'),
      /unknown plugin_name "vault_pki" \(known: file_watcher, shoal_ca\)/,
    );
    assert.throws(
      () => providers.get('broken'),
      /certificate_providers\["broken"\]\.config: certificate_file and private_key_file must be set together/,
    );
    providers.close();
  });
});
