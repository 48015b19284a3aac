#!/usr/bin/env node
// Launcher for the `shoal` command. It is tracked in git (unlike dist/) so that `npm ci` can link
// it into node_modules/.bin before the first build; the CLI itself is compiled into dist/.
try {
  await import('../dist/bin/shoal.js');
} catch (err) {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/bin/shoal.js')) {
    console.error('shoal: the CLI is not built yet (run `npm run build` at the repository root)');
    process.exit(1);
  }
  throw err;
}
