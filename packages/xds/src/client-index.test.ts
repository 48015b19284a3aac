import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as full from '@shoal/xds';
import * as client from '@shoal/xds/client';

test('@shoal/xds/client exports a subset of @shoal/xds, the same bindings', () => {
  const names = Object.keys(client);
  assert.ok(
    names.includes('createXdsClient') && names.includes('XdsClient'),
    'client entry has the client API',
  );
  for (const name of names) {
    assert.ok(name in full, `${name} is missing from @shoal/xds`);
    assert.equal((client as Record<string, unknown>)[name], (full as Record<string, unknown>)[name], name);
  }
});

test('@shoal/xds/client leaves out CSDS, the envoy namespace and the all-messages registry', () => {
  for (const name of ['registerCsds', 'clientStatus', 'envoy', 'createXdsRegistry']) {
    assert.ok(!(name in client), name);
  }
});
