import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { virtualHostDomains } from './virtual-host-domains.js';

// Expected values follow istiod's generateVirtualHostDomains cases (httproute_test.go) with the
// absolute FQDN that PILOT_ENABLE_ABSOLUTE_FQDN_VHOST_DOMAIN adds and no port suffixes.
describe('virtual host domains as istiod generates them for a sidecar', () => {
  it('a service in the sidecar namespace: FQDN, absolute FQDN, name, name.ns.svc, name.ns', () => {
    assert.deepEqual(virtualHostDomains('reviews.default.svc.cluster.local', 'default.svc.cluster.local'), [
      'reviews.default.svc.cluster.local',
      'reviews.default.svc.cluster.local.',
      'reviews',
      'reviews.default.svc',
      'reviews.default',
    ]);
  });

  it('a service in another namespace has no bare short name', () => {
    assert.deepEqual(virtualHostDomains('ratings.shop.svc.cluster.local', 'default.svc.cluster.local'), [
      'ratings.shop.svc.cluster.local',
      'ratings.shop.svc.cluster.local.',
      'ratings.shop',
      'ratings.shop.svc',
    ]);
  });

  it('a host outside the cluster domain is only itself', () => {
    assert.deepEqual(virtualHostDomains('api.example.com', 'default.svc.cluster.local'), [
      'api.example.com',
      'api.example.com.',
    ]);
    assert.deepEqual(virtualHostDomains('*.example.com', 'default.svc.cluster.local'), [
      '*.example.com',
      '*.example.com.',
    ]);
    assert.deepEqual(virtualHostDomains('10.0.0.7', 'default.svc.cluster.local'), ['10.0.0.7']);
  });

  it('a cluster with another domain suffix does not expand', () => {
    assert.deepEqual(virtualHostDomains('reviews.default.svc.cluster.local', 'default.svc.corp.example'), [
      'reviews.default.svc.cluster.local',
      'reviews.default.svc.cluster.local.',
    ]);
  });
});
