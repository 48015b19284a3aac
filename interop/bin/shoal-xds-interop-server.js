#!/usr/bin/env node
// Launcher for `shoal-xds-interop-server`. It is tracked in git (unlike dist/) so that `npm ci` can
// link it into node_modules/.bin before the first build; the program itself is compiled into dist/.
try {
  await import('../dist/xds/bin/shoal-xds-interop-server.js');
} catch (err) {
  if (
    err?.code === 'ERR_MODULE_NOT_FOUND' &&
    String(err.message).includes('dist/xds/bin/shoal-xds-interop-server.js')
  ) {
    console.error('shoal-xds-interop-server: not built yet (run `npm run build` at the repository root)');
    process.exit(1);
  }
  throw err;
}
