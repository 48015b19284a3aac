#!/usr/bin/env node
// Launcher for `shoal-interop-server`. It is tracked in git (unlike dist/) so that `npm ci` can link
// it into node_modules/.bin, executable, before the first build; the harness is compiled into dist/.
try {
  await import('../dist/server/main.js');
} catch (err) {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/server/main.js')) {
    console.error('shoal-interop-server: not built yet (run `npm run build` at the repository root)');
    process.exit(1);
  }
  throw err;
}
