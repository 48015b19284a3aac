import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isConfigKind, normalizeKind, objectKey } from './config-object.js';
import { hostMatches, kubernetesServiceHost, resolveShortName } from './hostnames.js';

describe('kinds and keys', () => {
  it('accepts kubectl-style kind names', () => {
    assert.equal(normalizeKind('vs'), 'VirtualService');
    assert.equal(normalizeKind('virtualservices'), 'VirtualService');
    assert.equal(normalizeKind('DestinationRule'), 'DestinationRule');
    assert.equal(normalizeKind('dr'), 'DestinationRule');
    assert.equal(normalizeKind('serviceentry'), 'ServiceEntry');
    assert.equal(normalizeKind('we'), 'WorkloadEntry');
    assert.equal(normalizeKind('authorizationpolicies'), 'AuthorizationPolicy');
    assert.equal(normalizeKind('svc'), 'Service');
    assert.equal(normalizeKind('gateway'), undefined);
    assert.equal(isConfigKind('VirtualService'), true);
    assert.equal(isConfigKind('toString'), false);
    assert.equal(objectKey('VirtualService', 'default', 'reviews'), 'VirtualService/default/reviews');
  });
});

describe('host names', () => {
  it('expands short names like istiod and leaves the rest', () => {
    assert.equal(resolveShortName('reviews', 'default'), 'reviews.default.svc.cluster.local');
    assert.equal(resolveShortName('reviews', 'shop', 'corp.local'), 'reviews.shop.svc.corp.local');
    assert.equal(resolveShortName('reviews.prod', 'default'), 'reviews.prod');
    assert.equal(resolveShortName('greeter.example.com', 'default'), 'greeter.example.com');
    assert.equal(resolveShortName('10.0.0.1', 'default'), '10.0.0.1');
    assert.equal(resolveShortName('*', 'default'), '*');
    assert.equal(kubernetesServiceHost('ratings', 'shop'), 'ratings.shop.svc.cluster.local');
  });

  it('matches wildcard hosts', () => {
    assert.equal(hostMatches('*.example.com', 'api.example.com'), true);
    assert.equal(hostMatches('*', 'anything'), true);
    assert.equal(hostMatches('API.example.com', 'api.EXAMPLE.com'), true);
    assert.equal(hostMatches('*.example.com', 'example.com'), false);
    assert.equal(hostMatches('api.example.com', '*.example.com'), false);
  });
});
