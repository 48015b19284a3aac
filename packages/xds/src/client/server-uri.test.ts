// gRPC naming (doc/naming.md) for xDS server URIs.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseServerUri } from './server-uri.js';

it('parses the server_uri forms gRPC accepts', () => {
  const cases: [string, string][] = [
    ['istiod.istio-system.svc:15012', 'istiod.istio-system.svc:15012'],
    ['localhost', 'localhost:443'],
    ['dns:///xds.example.com:18000', 'xds.example.com:18000'],
    ['dns://8.8.8.8/xds.example.com:18000', 'xds.example.com:18000'],
    ['dns:xds.example.com', 'xds.example.com:443'],
    ['ipv4:10.0.0.1:15010', '10.0.0.1:15010'],
    ['ipv6:[::1]:15010', '[::1]:15010'],
    ['[2001:db8::1]:80', '[2001:db8::1]:80'],
    ['unix:///etc/istio/XDS', 'unix:/etc/istio/XDS'],
    ['unix:/tmp/xds.sock', 'unix:/tmp/xds.sock'],
    ['unix:relative.sock', 'unix:relative.sock'],
  ];
  for (const [uri, address] of cases) assert.equal(parseServerUri(uri).address, address, uri);
  assert.deepEqual(parseServerUri('ipv6:[::1]:1'), { kind: 'tcp', host: '::1', port: 1, address: '[::1]:1' });
});

it('rejects malformed server URIs with the reason', () => {
  const cases: [string, RegExp][] = [
    ['h:0', /invalid port "0"/],
    ['h:x', /invalid port "x"/],
    ['::1:80', /IPv6 addresses must be in brackets/],
    ['[::1', /unterminated IPv6/],
    ['[::1]x', /junk after "\]"/],
    [':80', /no host/],
    ['unix:', /empty unix socket path/],
    ['unix://host/path', /absolute path/],
    ['https://h:1', /unsupported scheme "https:"/],
    ['dns:///', /no host/],
  ];
  for (const [uri, message] of cases) assert.throws(() => parseServerUri(uri), message, uri);
});
