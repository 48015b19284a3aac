import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { validateConfig } from './analyze.js';
import type { AnyConfigObject } from './config-object.js';
import { ConfigValidator } from './config-validator.js';
import { formatIssue } from './issues.js';

const validator = new ConfigValidator();
const dir = resolve(import.meta.dirname, '../../../../../../shared/testdata/istio');
const read = (f: string) => readFileSync(resolve(dir, f), 'utf8');

describe('validateConfig (offline analysis)', () => {
  it('errors on a route to a subset no DestinationRule defines', () => {
    const text = `${read('samples-bookinfo-networking-virtual-service-reviews-80-20.yaml')}\n---\napiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  subsets: [{name: v1, labels: {version: v1}}]
`;
    const report = validateConfig(text, { validator, source: 'vs.yaml' });
    assert.deepEqual(report.errors.map(formatIssue), [
      'vs.yaml: VirtualService/default/reviews: spec.http[0].route[1].destination.subset: Referenced host+subset in destinationrule not found: "reviews+v2" (DestinationRule DestinationRule/default/reviews for host reviews.default.svc.cluster.local defines v1)',
    ]);
  });

  it('warns about a missing delegate, a directResponse body and transport headers', () => {
    const report = validateConfig(
      `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - match: [{headers: {end-user: {exact: jason}}}]
    delegate: {name: reviews-jason}
  - match: [{headers: {end-user: {exact: blocked}}}]
    directResponse: {status: 403, body: {string: denied}}
  - headers: {request: {set: {grpc-timeout: 1S}}}
    route: [{destination: {host: reviews}}]
`,
      { validator, knownHosts: ['reviews.default.svc.cluster.local'] },
    );
    assert.deepEqual(report.errors, []);
    assert.deepEqual(
      report.warnings.map((w) => `${w.path}: ${w.message}`.slice(0, 90)),
      [
        'spec.http[1].directResponse.body: a gRPC client gets the status as its gRPC code (503 UNAV',
        'spec.http[2].headers.request.set[grpc-timeout]: "grpc-timeout" belongs to the gRPC transpo',
        'spec.http[0].delegate: delegate VirtualService default/reviews-jason not found: this route',
      ],
    );
  });

  it('errors when there is no DestinationRule at all, and warns about hosts with no service', () => {
    const report = validateConfig(
      read('samples-bookinfo-networking-virtual-service-reviews-jason-v2-v3.yaml'),
      { validator },
    );
    assert.equal(report.errors.length, 2);
    assert.match(
      report.errors[0]!.message,
      /"reviews\+v2" \(no DestinationRule for host reviews\.default\.svc\.cluster\.local\)/,
    );
    assert.deepEqual(
      report.warnings.map((w) => w.path),
      ['spec.http[0].route[0].destination.host'],
    );
    assert.match(
      report.warnings[0]!.message,
      /Referenced host not found: "reviews" \(reviews\.default\.svc\.cluster\.local\)/,
    );
  });

  it('accepts Bookinfo routes with their DestinationRules and Kubernetes Services, without warnings', () => {
    const text = [
      'samples-bookinfo-platform-kube-bookinfo.yaml',
      'samples-bookinfo-networking-destination-rule-all.yaml',
      'samples-bookinfo-networking-virtual-service-all-v1.yaml',
    ]
      .map(read)
      .join('\n---\n');
    const report = validateConfig(text, { validator });
    assert.deepEqual(report.errors.map(formatIssue), []);
    assert.deepEqual(report.warnings.map(formatIssue), []);
  });

  it('counts ServiceEntry hosts (with wildcards) and known registry hosts as services', () => {
    const text = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ext}
spec: {hosts: ["*.example.com"], resolution: NONE}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: v}
spec:
  hosts: [api.example.com, greeter.shoal]
  http:
  - match: [{authority: {exact: api.example.com}}]
    route: [{destination: {host: api.example.com}}]
  - route: [{destination: {host: greeter.shoal}}]
`;
    assert.deepEqual(
      validateConfig(text, { validator }).warnings.map((w) => w.path),
      ['spec.http[1].route[0].destination.host'],
    );
    assert.deepEqual(validateConfig(text, { validator, knownHosts: ['greeter.shoal'] }).warnings, []);
  });

  it('warns about two VirtualServices or two DestinationRules for one host', () => {
    const text = [
      read('samples-bookinfo-networking-virtual-service-all-v1.yaml'),
      read('samples-bookinfo-networking-virtual-service-reviews-80-20.yaml'),
      read('samples-bookinfo-networking-destination-rule-all.yaml'),
      read('samples-bookinfo-networking-destination-rule-all-mtls.yaml').replace(
        /name: (\w+)$/gm,
        'name: $1-mtls',
      ),
    ].join('\n---\n');
    const report = validateConfig(text, { validator, knownHosts: ['*'] });
    assert.ok(report.warnings.some((w) => /also routed by VirtualService\/default\/reviews/.test(w.message)));
    assert.ok(
      report.warnings.some((w) =>
        /multiple DestinationRules for host reviews\.default\.svc\.cluster\.local/.test(w.message),
      ),
    );
  });
});

describe('validateConfig together with the live config (like istioctl analyze on a cluster)', () => {
  const live = (text: string) => validateConfig(text, { validator }).objects as AnyConfigObject[];
  const dr = read('samples-bookinfo-networking-destination-rule-all.yaml');

  it('a route to a subset the live DestinationRule defines is valid; offline it is an error', () => {
    const vs = read('samples-bookinfo-networking-virtual-service-reviews-80-20.yaml');
    assert.equal(validateConfig(vs, { validator }).errors.length, 2, 'no DestinationRule for v1 and v2');
    const report = validateConfig(vs, { validator, live: live(dr), knownHosts: ['*'] });
    assert.deepEqual([report.errors, report.warnings], [[], []]);
  });

  it('reports what the file breaks in live objects, and not what was already wrong', () => {
    const brokenBefore = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings}
spec:
  hosts: [ratings]
  http: [{route: [{destination: {host: ratings, subset: nope}}]}]`;
    const liveObjects = live(
      `${dr}\n---\n${read('samples-bookinfo-networking-virtual-service-reviews-80-20.yaml')}\n---\n${brokenBefore}`,
    );
    // The file replaces the live reviews DestinationRule with one that has no v2.
    const file = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  subsets: [{name: v1, labels: {version: v1}}]`;
    const report = validateConfig(file, { validator, live: liveObjects, knownHosts: ['*'] });
    assert.deepEqual(
      report.errors.map((e) => `${e.document} ${e.path}`),
      ['VirtualService/default/reviews spec.http[0].route[1].destination.subset'],
    );
  });
});
