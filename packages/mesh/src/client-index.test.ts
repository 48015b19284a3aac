import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as full from '@shoal/mesh';
import * as client from '@shoal/mesh/client';

test('@shoal/mesh/client exports a subset of @shoal/mesh, the same bindings', () => {
  const names = Object.keys(client);
  assert.ok(
    names.includes('createMeshClient') && names.includes('MeshTransport'),
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
    'createXdsEnabledServer',
    'compileRbac',
    'rbacFilter',
    'createServerHttpFilterRegistry',
    'withRegistration',
  ]) {
    assert.ok(!(name in client), name);
  }
});

/** Every module URL a fresh node process loads for `import(specifier)`, seen by a load hook. */
async function modulesLoadedBy(specifier: string): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-modules-'));
  const out = join(dir, 'loaded.txt');
  const hooks = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) { appendFileSync(${JSON.stringify(out)}, url + '\\n'); return next(url, context); }`;
  const register = `import { register } from 'node:module';
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
  try {
    await promisify(execFile)(
      process.execPath,
      [
        '--import',
        `data:text/javascript,${encodeURIComponent(register)}`,
        '--input-type=module',
        '-e',
        `await import(${JSON.stringify(specifier)});`,
      ],
      { cwd: fileURLToPath(new URL('../..', import.meta.url)), timeout: 30_000 },
    );
    return (await readFile(out, 'utf8')).trim().split('\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// What a calling-only process must not load: server side, RBAC, CSDS, reflection and health, the
// `envoy` namespace and the all-messages registry (and the generated files only they need).
const SERVER_SIDE =
  /\/(rpc|xds|mesh)\/dist\/(server|services|csds)\/|\/rpc\/dist\/gen\/|\/xds\/dist\/(envoy|wire\/registry)\.js$|\/xds\/dist\/gen\/envoy\/(admin|service\/status)\//;

test('@shoal/mesh/client loads none of the server-side modules, @shoal/mesh does', async () => {
  const [clientOnly, index] = await Promise.all([
    modulesLoadedBy('@shoal/mesh/client'),
    modulesLoadedBy('@shoal/mesh'),
  ]);
  assert.ok(
    clientOnly.some((u) => u.endsWith('/mesh/dist/client/mesh-transport.js')),
    'the client was loaded',
  );
  assert.deepEqual(
    clientOnly.filter((u) => SERVER_SIDE.test(u)),
    [],
  );
  // The same check finds them when they are there.
  const serverSide = index.filter((u) => SERVER_SIDE.test(u));
  // (The mesh reaches @shoal/xds through its client and plugins entries only, so neither entry loads
  // CSDS or the `envoy` namespace.)
  for (const part of ['/mesh/dist/server/', '/rpc/dist/server/']) {
    assert.ok(
      serverSide.some((u) => u.includes(part)),
      `${part} is loaded by @shoal/mesh`,
    );
  }
  assert.ok(clientOnly.length < index.length, `${clientOnly.length} < ${index.length} modules`);
  // Telemetry and OpenTelemetry come with the app's own Telemetry, not with the client entry
  // (about 100 modules, 55 ms of CPU per start); the mesh-aware server does load them.
  const telemetry = /\/telemetry\/dist\/|\/node_modules\/@opentelemetry\//;
  assert.deepEqual(
    clientOnly.filter((u) => telemetry.test(u)),
    [],
  );
  assert.ok(
    index.some((u) => telemetry.test(u)),
    '@shoal/mesh loads telemetry',
  );
});
