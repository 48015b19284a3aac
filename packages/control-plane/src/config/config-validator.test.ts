import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorsOf, itRejects, type RejectCase, validator } from '../../test/validation-cases.js';
import { loadConfigText } from './load-config.js';

const se = (spec: string) => `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: s}
spec:
${spec}`;

const cases: RejectCase[] = [
  [
    'wildcard host for mesh',
    `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: w}\nspec:\n  hosts: ["*"]\n  http:\n  - route:\n    - destination: {host: a}`,
    'wildcard host * is not allowed for virtual services bound to the mesh gateway',
  ],
  [
    'duplicate hosts',
    `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: w}\nspec:\n  hosts: [a.example.com, "*.example.com"]\n  http:\n  - route:\n    - destination: {host: a}`,
    'duplicate hosts in virtual service',
  ],
  [
    'bad host',
    `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: w}\nspec:\n  hosts: [Bad_Host]\n  http:\n  - route:\n    - destination: {host: a}`,
    'spec.hosts[0]: Invalid value: "Bad_Host": domain name "Bad_Host" invalid (label "Bad_Host" invalid)',
  ],
  [
    'no routes at all',
    `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: w}\nspec:\n  hosts: [a]`,
    'http, tcp or tls must be provided in virtual service',
  ],
  [
    'host required',
    'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: d}\nspec: {}',
    'DestinationRule/default/d: spec.host: Required value',
  ],
  [
    'STATIC endpoint must be IP',
    se(
      '  hosts: [a.example.com]\n  resolution: STATIC\n  ports: [{number: 80, name: http}]\n  endpoints: [{address: foo.example.com}]',
    ),
    'spec.endpoints[0].address: Invalid value: "foo.example.com": endpoint address "foo.example.com" is not a valid IP address',
  ],
  [
    'endpoint port not in service',
    se(
      '  hosts: [a.example.com]\n  resolution: STATIC\n  ports: [{number: 80, name: http}]\n  endpoints: [{address: 1.2.3.4, ports: {grpc: 9000}}]',
    ),
    'endpoint port grpc is not defined by the service entry',
  ],
  [
    'DNS needs FQDN hosts',
    se('  hosts: ["*.example.com"]\n  resolution: DNS'),
    'hosts must be FQDN if no endpoints are provided for resolution mode DNS',
  ],
  [
    'bad CIDR',
    se('  hosts: [a.example.com]\n  addresses: [1.2.3.4/99]'),
    'spec.addresses[0]: Invalid value: "1.2.3.4/99": 1.2.3.4/99 is not a valid CIDR block',
  ],
  [
    'protocol',
    se('  hosts: [a.example.com]\n  ports: [{number: 80, name: http, protocol: SPDY}]'),
    'unsupported protocol: SPDY',
  ],
  [
    'port name',
    se('  hosts: [a.example.com]\n  ports: [{number: 80, name: Http_1}]'),
    'invalid port name: Http_1',
  ],
  [
    'multiple hosts and TCP',
    se(
      '  hosts: [a.example.com, b.example.com]\n  resolution: DNS\n  ports: [{number: 5432, name: pg, protocol: TCP}]',
    ),
    'multiple hosts provided with non-HTTP, non-TLS ports',
  ],
  [
    'resolution enum',
    se('  hosts: [a.example.com]\n  resolution: MAGIC'),
    'spec.resolution: Unsupported value: "MAGIC"',
  ],
  [
    'workload entry needs address',
    'apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata: {name: w}\nspec: {labels: {app: a}}',
    'WorkloadEntry/default/w: spec.address: Required value: address is required',
  ],
  [
    'workload entry port',
    'apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata: {name: w}\nspec: {address: 1.2.3.4, ports: {grpc: 0}}',
    'spec.ports.grpc: Invalid value: 0: port must be between 1-65535',
  ],
  [
    'workload entry locality',
    'apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata: {name: w}\nspec: {address: 1.2.3.4, locality: "a//c"}',
    'spec.locality: Invalid value: "a//c"',
  ],
  [
    'workload entry unix with ports',
    'apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata: {name: w}\nspec: {address: "unix://relative", ports: {http: 80}}',
    'relative is not an absolute path to a file',
  ],
  [
    'workload entry weight',
    'apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata: {name: w}\nspec: {address: 1.2.3.4, weight: -1}',
    'spec.weight: Invalid value: -1: must be >= 0',
  ],
  [
    'peer authn port level without selector',
    'apiVersion: security.istio.io/v1beta1\nkind: PeerAuthentication\nmetadata: {name: p}\nspec: {portLevelMtls: {"8080": {mode: DISABLE}}}',
    'mesh/namespace peer authentication cannot have port level mTLS',
  ],
  [
    'peer authn mode',
    'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: p}\nspec: {mtls: {mode: ON}}',
    'spec.mtls.mode: Unsupported value: "ON"',
  ],
  [
    'authz deny without rules',
    'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: a}\nspec: {action: DENY}',
    'DENY action without `rules` is meaningless',
  ],
  [
    'authz bad ip',
    'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: a}\nspec:\n  rules: [{from: [{source: {ipBlocks: ["1.2.3.300"]}}]}]',
    'spec.rules[0].from[0].source.ipBlocks[0]: Invalid value: "1.2.3.300"',
  ],
  [
    'authz bad port',
    'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: a}\nspec:\n  rules: [{to: [{operation: {ports: ["http"]}}]}]',
    'invalid port: http',
  ],
  [
    'unsupported apiVersion',
    'apiVersion: networking.istio.io/v2\nkind: VirtualService\nmetadata: {name: v}\nspec: {}',
    'VirtualService/default/v: apiVersion: Unsupported value: "networking.istio.io/v2"',
  ],
  ['missing kind', 'apiVersion: v1\nmetadata: {name: v}', 'document 0: kind: Required value'],
  [
    'missing name',
    'apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {}\nspec: {hosts: [a.b]}',
    'document 0: metadata.name: Required value',
  ],
  [
    'bad name',
    'apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: Bad_Name}\nspec: {hosts: [a.b]}',
    'metadata.name: Invalid value: "Bad_Name"',
  ],
  ['not an object', '- 1\n- 2', 'document 0: Invalid value: 1: a document must be an object'],
  [
    'kubernetes service port',
    'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 0, name: http}]}',
    'Service/default/s: spec.ports[0].port: Invalid value: 0',
  ],
];

const doc = (apiVersion: string, kind: string) =>
  `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: x}\nspec: {}`;

describe('ConfigValidator rules', () => {
  itRejects(cases);

  itRejects([
    [
      'a kind that is not in its Istio API group (a typo)',
      doc('networking.istio.io/v1', 'VirtualHighway'),
      'VirtualHighway/default/x: kind: Unsupported value: "VirtualHighway": networking.istio.io has the kinds "DestinationRule", "EnvoyFilter", "Gateway", "ProxyConfig", "ServiceEntry", "Sidecar", "VirtualService", "WorkloadEntry", "WorkloadGroup"',
    ],
    [
      'a kind of another Istio group',
      doc('security.istio.io/v1', 'Gateway'),
      'apiVersion: Unsupported value: "security.istio.io/v1": Gateway is in networking.istio.io',
    ],
    [
      'an Istio group that does not exist',
      doc('networkin.istio.io/v1', 'Gateway'),
      'apiVersion: Unsupported value: "networkin.istio.io": Istio\'s API groups are "networking.istio.io", "security.istio.io", "telemetry.istio.io", "extensions.istio.io"',
    ],
    [
      'a Kubernetes Service in an Istio group',
      doc('networking.istio.io/v1', 'Service'),
      'kind: Unsupported value: "Service": networking.istio.io has the kinds',
    ],
  ]);

  it('skips Istio kinds it does not use with a warning, and other APIs silently', () => {
    for (const [apiVersion, kind] of [
      ['networking.istio.io/v1', 'Gateway'],
      ['networking.istio.io/v1alpha3', 'Sidecar'],
      ['networking.istio.io/v1alpha3', 'EnvoyFilter'],
      ['telemetry.istio.io/v1', 'Telemetry'],
      ['security.istio.io/v1', 'RequestAuthentication'],
      ['extensions.istio.io/v1alpha1', 'WasmPlugin'],
    ] as const) {
      const loaded = loadConfigText(doc(apiVersion, kind), { validator });
      assert.deepEqual(loaded.errors, [], kind);
      assert.match(
        loaded.warnings[0]?.message ?? '',
        new RegExp(`^${kind} \\(${apiVersion}\\) is not used by Shoal; skipped$`),
      );
    }
    const other = loadConfigText(
      `${doc('apps/v1', 'Deployment')}\n---\n${doc('install.istio.io/v1alpha1', 'IstioOperator')}`,
      {
        validator,
      },
    );
    assert.deepEqual([other.errors, other.warnings, other.skipped.length], [[], [], 2]);
  });

  it('still runs the rules when the only shape errors are unknown fields', () => {
    const errors = errorsOf(se('  hosts: ["*"]\n  hostz: [a]'));
    assert.ok(
      errors.some((e) => e.includes('spec.hostz: Unknown field')),
      errors.join('\n'),
    );
    assert.ok(
      errors.some((e) => e.includes('hostname cannot be wildcard')),
      errors.join('\n'),
    );
  });

  it('accepts an AuthorizationPolicy without spec (allow nothing), but not a VirtualService', () => {
    const loaded = loadConfigText(
      'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: deny-all, namespace: shop}\n',
      { validator },
    );
    assert.deepEqual(loaded.errors, []);
    assert.deepEqual(loaded.objects[0]?.spec, {});
    assert.ok(
      errorsOf('apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: v}\n').some((e) =>
        e.includes('spec: Required value'),
      ),
    );
  });

  it('reports every error of a document at once', () => {
    const errors = errorsOf(se('  hosts: ["*"]\n  ports: [{number: 0, name: a}, {number: 0, name: a}]'));
    assert.ok(errors.length >= 4, errors.join('\n'));
  });

  it('warns, but accepts, a WorkloadEntry with only a network', () => {
    const loaded = loadConfigText(
      'apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata: {name: w}\nspec: {network: n1}',
      { validator },
    );
    assert.equal(loaded.errors.length, 0);
    assert.match(loaded.warnings[0]?.message ?? '', /address is unset with network "n1"/);
  });

  it('drops status and extra metadata and copies the spec', () => {
    const raw = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'WorkloadEntry',
      metadata: { name: 'w', uid: 'x', labels: { a: 'b' } },
      spec: { address: '10.0.0.1', labels: { app: 'x' } },
      status: { conditions: [] },
    };
    const result = validator.validate(raw, { index: 0 });
    assert.deepEqual(result.object, {
      apiVersion: 'networking.istio.io/v1',
      kind: 'WorkloadEntry',
      metadata: { name: 'w', namespace: 'default', labels: { a: 'b' } },
      spec: { address: '10.0.0.1', labels: { app: 'x' } },
    });
    raw.spec.labels.app = 'changed';
    assert.equal((result.object as { spec: { labels: Record<string, string> } }).spec.labels.app, 'x');
  });
});
