// gRFC A27/A47/A53/A65/A95 bootstrap: Istio's real files, every source, and the error for each bad field.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { Code, RpcError } from '@shoal/rpc';
import {
  clientListenerResourceName,
  loadBootstrap,
  parseBootstrap,
  serverListenerResourceName,
} from './bootstrap.js';

const istio = resolve(import.meta.dirname, '../../../../../shared/testdata/istio');

function throwsAt(fn: () => unknown, message: RegExp, code = Code.INVALID_ARGUMENT): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof RpcError, `expected RpcError, got ${e}`);
    assert.equal(e.code, code);
    assert.match(e.rawMessage, message);
    return true;
  });
}

const minimal = { xds_servers: [{ server_uri: '127.0.0.1:15010', channel_creds: [{ type: 'insecure' }] }] };

describe('bootstrap', () => {
  it("loads Istio's grpc-agent bootstrap (unix socket) as it is", () => {
    const path = join(istio, 'pkg-istio-agent-testdata-grpc-bootstrap.json');
    const b = loadBootstrap({ env: { GRPC_XDS_BOOTSTRAP: path } });
    const [server] = b.xdsServers;
    assert.equal(server?.serverUri, 'unix:///etc/istio/XDS');
    assert.deepEqual(server?.address, {
      kind: 'unix',
      path: '/etc/istio/XDS',
      address: 'unix:/etc/istio/XDS',
    });
    assert.deepEqual(server?.channelCredentials, { type: 'insecure' });
    assert.deepEqual(server?.serverFeatures, ['xds_v3']);
    assert.equal(server?.ignoreResourceDeletion, false);
    assert.equal(b.node.id, 'sidecar~127.0.0.1~pod1.fake-namespace~fake-namespace.svc.cluster.local');
    assert.equal(b.node.metadata.GENERATOR, 'grpc');
    assert.deepEqual(b.node.metadata.PILOT_SAN, ['istiod.istio-system.svc']);
    assert.deepEqual(b.node.locality, { region: '', zone: '', subZone: '' });
    assert.equal(b.certificateProviders.default?.pluginName, 'file_watcher');
    assert.equal(b.certificateProviders.default?.config.certificate_file, '/cert/path/cert-chain.pem');
    assert.equal(
      serverListenerResourceName(b, '10.0.0.1:8080'),
      'xds.istio.io/grpc/lds/inbound/10.0.0.1:8080',
    );
    assert.equal(clientListenerResourceName(b, 'reviews.default.svc:9080'), 'reviews.default.svc:9080');
  });

  it("loads istiod's grpcgen test bootstrap (tcp, misspelt unknown fields ignored)", () => {
    const path = join(istio, 'pilot-pkg-networking-grpcgen-testdata-xds_bootstrap.json');
    const b = loadBootstrap({ env: { GRPC_XDS_BOOTSTRAP: path } });
    assert.deepEqual(b.xdsServers[0]?.address, {
      kind: 'tcp',
      host: 'localhost',
      port: 14057,
      address: 'localhost:14057',
    });
    assert.equal(b.node.metadata.NAMESPACE, 'test');
    assert.equal(b.serverListenerResourceNameTemplate, 'xds.istio.io/grpc/lds/inbound/%s');
  });

  it('reads GRPC_XDS_BOOTSTRAP before GRPC_XDS_BOOTSTRAP_CONFIG, and code before both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-bootstrap-'));
    try {
      const file = join(dir, 'b.json');
      writeFileSync(file, JSON.stringify({ ...minimal, node: { id: 'from-file' } }));
      const inline = JSON.stringify({ ...minimal, node: { id: 'from-env' } });
      assert.equal(
        loadBootstrap({ env: { GRPC_XDS_BOOTSTRAP: file, GRPC_XDS_BOOTSTRAP_CONFIG: inline } }).node.id,
        'from-file',
      );
      assert.equal(loadBootstrap({ env: { GRPC_XDS_BOOTSTRAP_CONFIG: inline } }).node.id, 'from-env');
      const code = { ...minimal, node: { id: 'from-code' } };
      assert.equal(loadBootstrap({ config: code, env: { GRPC_XDS_BOOTSTRAP: file } }).node.id, 'from-code');
      assert.equal(loadBootstrap({ config: JSON.stringify(code) }).node.id, 'from-code');
      writeFileSync(file, '{"xds_servers": [');
      throwsAt(
        () => loadBootstrap({ env: { GRPC_XDS_BOOTSTRAP: file } }),
        /GRPC_XDS_BOOTSTRAP=.*b\.json\): not valid JSON/,
      );
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('says what is missing when there is no bootstrap or the file cannot be read', () => {
    throwsAt(
      () => loadBootstrap({ env: {} }),
      /GRPC_XDS_BOOTSTRAP.*GRPC_XDS_BOOTSTRAP_CONFIG/,
      Code.FAILED_PRECONDITION,
    );
    throwsAt(
      () => loadBootstrap({ env: { GRPC_XDS_BOOTSTRAP: '/nonexistent/bootstrap.json' } }),
      /GRPC_XDS_BOOTSTRAP=\/nonexistent\/bootstrap\.json\): cannot read: .*ENOENT/,
      Code.FAILED_PRECONDITION,
    );
  });

  it('reads features, tls creds, locality, templates and authorities', () => {
    const b = parseBootstrap({
      xds_servers: [
        {
          server_uri: 'dns:///istiod.istio-system.svc:15012',
          channel_creds: [
            { type: 'google_default' },
            { type: 'tls', config: { ca_certificate_file: '/ca.pem' } },
          ],
          server_features: ['xds_v3', 'ignore_resource_deletion'],
        },
      ],
      node: { id: 'n', cluster: 'c', locality: { region: 'r', zone: 'z', sub_zone: 's' } },
      client_default_listener_resource_name_template: 'xdstp://shoal/envoy.config.listener.v3.Listener/%s',
      authorities: {
        'mesh.example': {
          xds_servers: [{ server_uri: '[::1]:18000', channel_creds: [{ type: 'insecure' }] }],
          fallback_on_reachability_only: true,
        },
        shoal: {},
      },
    });
    const [s] = b.xdsServers;
    assert.equal(s?.address.address, 'istiod.istio-system.svc:15012');
    assert.deepEqual(s?.channelCredentials, { type: 'tls', caCertificateFile: '/ca.pem' });
    assert.equal(s?.ignoreResourceDeletion, true);
    assert.deepEqual(b.node.locality, { region: 'r', zone: 'z', subZone: 's' });
    assert.equal(b.authorities['mesh.example']?.xdsServers[0]?.address.address, '[::1]:18000');
    assert.deepEqual(b.authorities.shoal?.xdsServers, []);
    assert.equal(b.authorities['mesh.example']?.fallbackOnReachabilityOnly, true);
    assert.equal(b.authorities.shoal?.fallbackOnReachabilityOnly, false);
    assert.equal(b.fallbackOnReachabilityOnly, false);
    assert.equal(
      parseBootstrap({ ...minimal, fallback_on_reachability_only: true }).fallbackOnReachabilityOnly,
      true,
    );
    throwsAt(
      () => parseBootstrap({ ...minimal, fallback_on_reachability_only: 'yes' }),
      /fallback_on_reachability_only: must be true or false, got the string "yes"/,
    );
    assert.equal(
      clientListenerResourceName(b, 'greeter:50051'),
      'xdstp://shoal/envoy.config.listener.v3.Listener/greeter:50051',
    );
    assert.equal(
      clientListenerResourceName(b, 'a b/c:1', 'mesh.example'),
      'xdstp://mesh.example/envoy.config.listener.v3.Listener/a%20b/c:1',
    );
    throwsAt(() => clientListenerResourceName(b, 'x:1', 'nope'), /authority "nope" is not in the bootstrap/);
    throwsAt(
      () => serverListenerResourceName(b, '1.2.3.4:5'),
      /server_listener_resource_name_template/,
      Code.FAILED_PRECONDITION,
    );
  });

  it('names the field of every malformed value', () => {
    const bad: [unknown, RegExp][] = [
      [null, /\(config\): is empty/],
      [[], /\(config\): must be an object, got an array/],
      [{}, /xds_servers: must list at least one server/],
      [{ xds_servers: 'x' }, /xds_servers: must be an array, got the string "x"/],
      [
        { xds_servers: [{ channel_creds: [{ type: 'insecure' }] }] },
        /xds_servers\[0\]\.server_uri: is required/,
      ],
      [{ xds_servers: [{ server_uri: 5 }] }, /xds_servers\[0\]\.server_uri: must be a string, got number 5/],
      [
        { xds_servers: [{ server_uri: 'h:99999', channel_creds: [{ type: 'insecure' }] }] },
        /server_uri: "h:99999": invalid port/,
      ],
      [
        { xds_servers: [{ server_uri: 'http://h:1', channel_creds: [{ type: 'insecure' }] }] },
        /server_uri: .*unsupported scheme "http:"/,
      ],
      [
        { xds_servers: [{ server_uri: 'unix://rel', channel_creds: [{ type: 'insecure' }] }] },
        /absolute path/,
      ],
      [{ xds_servers: [{ server_uri: 'h:1' }] }, /xds_servers\[0\]\.channel_creds: must list at least one/],
      [
        { xds_servers: [{ server_uri: 'h:1', channel_creds: [{ type: 'google_default' }] }] },
        /channel_creds: no supported type \(got google_default; supported: insecure, tls\)/,
      ],
      [
        { xds_servers: [{ server_uri: 'h:1', channel_creds: [{}] }] },
        /channel_creds\[0\]\.type: is required/,
      ],
      [
        {
          xds_servers: [
            { server_uri: 'h:1', channel_creds: [{ type: 'tls', config: { certificate_file: '/c' } }] },
          ],
        },
        /channel_creds\[0\]\.config: certificate_file and private_key_file must be set together/,
      ],
      [
        { ...minimal, xds_servers: [{ ...minimal.xds_servers[0], server_features: [1] }] },
        /server_features\[0\]: must be a string/,
      ],
      [{ ...minimal, node: 'n' }, /node: must be an object/],
      [{ ...minimal, node: { id: 7 } }, /node\.id: must be a string, got number 7/],
      [
        { ...minimal, node: { locality: { zone: [] } } },
        /node\.locality\.zone: must be a string, got an array/,
      ],
      [{ ...minimal, node: { metadata: [] } }, /node\.metadata: must be an object/],
      [
        { ...minimal, certificate_providers: { default: {} } },
        /certificate_providers\["default"\]\.plugin_name: is required/,
      ],
      [
        { ...minimal, server_listener_resource_name_template: 1 },
        /server_listener_resource_name_template: must be a string/,
      ],
      [
        { ...minimal, authorities: { a: { client_listener_resource_name_template: 'xdstp://b/%s' } } },
        /authorities\["a"\]\.client_listener_resource_name_template: must start with "xdstp:\/\/a\/"/,
      ],
      [
        { ...minimal, authorities: { a: { xds_servers: [{ server_uri: '' }] } } },
        /authorities\["a"\]\.xds_servers\[0\]\.server_uri: is required/,
      ],
    ];
    for (const [json, message] of bad) throwsAt(() => parseBootstrap(json), message);
  });
});
