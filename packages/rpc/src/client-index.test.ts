import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as full from '@shoal/rpc';
import * as client from '@shoal/rpc/client';

test('@shoal/rpc/client exports a subset of @shoal/rpc, the same bindings', () => {
  const names = Object.keys(client);
  assert.ok(names.includes('createClient') && names.includes('RpcError'), 'client entry has the client API');
  for (const name of names) {
    assert.ok(name in full, `${name} is missing from @shoal/rpc`);
    assert.equal((client as Record<string, unknown>)[name], (full as Record<string, unknown>)[name], name);
  }
});

test('@shoal/rpc/client leaves out the server', () => {
  assert.ok(!('createServer' in client) && !('Server' in client) && !('Health' in client));
});
