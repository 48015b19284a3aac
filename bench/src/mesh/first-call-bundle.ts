// The first-call child as an app that cares about start-up ships it: one file, bundled with
// esbuild (@shoal/mesh/client, @shoal/xds, @shoal/rpc, @bufbuild/protobuf and the generated bench
// service inlined). Node 20 loads ESM one file at a time (resolve, read, compile, link), about
// 1-2 ms per module on this machine, and the unbundled client is ~200 modules; this kind measures
// what is left once that is gone. Only the Shoal client-entry path is bundled: the package index
// and grpc-js-xds stay outside, since the bundled child runs only kind `shoal`.

import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

/** Imports left to Node (paths as written in first-call-main.ts). */
const OUTSIDE = /^(@shoal\/mesh|@grpc\/grpc-js|@grpc\/grpc-js-xds|\.\.\/rpc\/servers\/grpc-js-server\.js)$/;

const keepOutside: Plugin = {
  name: 'keep-outside',
  setup(b) {
    // esbuild's own `external` also matches subpaths (@shoal/mesh/client), hence exact names here.
    b.onResolve({ filter: OUTSIDE }, (args) => ({ path: args.path, external: true }));
  },
};

export interface FirstCallBundle {
  script: URL;
  bytes: number;
}

/** Bundles first-call-main.js next to itself as first-call-main.bundle.js. */
export async function bundleFirstCall(): Promise<FirstCallBundle> {
  const entry = new URL('./first-call-main.js', import.meta.url);
  const script = new URL('./first-call-main.bundle.js', import.meta.url);
  const result = await build({
    entryPoints: [fileURLToPath(entry)],
    outfile: fileURLToPath(script),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: [keepOutside],
    logLevel: 'error',
  });
  if (result.errors.length > 0) throw new Error(`esbuild: ${result.errors.map((e) => e.text).join('; ')}`);
  return { script, bytes: (await stat(script)).size };
}
