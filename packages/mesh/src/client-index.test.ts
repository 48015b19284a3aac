import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as full from '@shoal/mesh';
import * as client from '@shoal/mesh/client';

test('@shoal/mesh/client exports a subset of @shoal/mesh, the same bindings', () => {
  const names = Object.keys(client);
  assert.ok(
    names.includes('createMeshClient') && names.includes('XdsDependencyManager'),
    'client entry has the client API',
  );
  for (const name of names) {
    assert.ok(name in full, `${name} is missing from @shoal/mesh`);
    assert.equal((client as Record<string, unknown>)[name], (full as Record<string, unknown>)[name], name);
  }
});

test('@shoal/mesh/client leaves out the mesh-aware server', () => {
  for (const name of [
    'createMeshServer',
    'MeshServer',
    'createXdsServer',
    'compileRbac',
    'withRegistration',
  ]) {
    assert.ok(!(name in client), name);
  }
});
