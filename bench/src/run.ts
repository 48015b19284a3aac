// `npm run bench -- <suite> [options]`: runs one benchmark suite by name. To add a suite,
// add one line to `suites`.

import type { Suite } from './lib/suite.js';

const suites: Record<string, () => Promise<Suite>> = {
  rpc: async () => (await import('./rpc/rpc-suite.js')).rpcSuite,
  cp: async () => (await import('./cp/cp-suite.js')).cpSuite,
  mesh: async () => (await import('./mesh/mesh-suite.js')).meshSuite,
  proxy: async () => (await import('./proxy/proxy-suite.js')).proxySuite,
};

async function main(argv: string[]): Promise<void> {
  const [name, ...args] = argv;
  const load = name === undefined ? undefined : suites[name];
  if (!load) {
    const known = Object.keys(suites).join(', ');
    console.error(
      `usage: npm run bench -- <suite> [options]\nsuites: ${known}${name ? `\nunknown suite "${name}"` : ''}`,
    );
    process.exitCode = 2;
    return;
  }
  await (await load()).run(args);
}

main(process.argv.slice(2)).catch((err: Error) => {
  console.error(err.stack ?? String(err));
  process.exitCode = 1;
});
