// The console's JavaScript budget (issue 13's quality bar: under 300 KB gzipped): every JS file Vite
// built into dist/assets, the first view's entry and the chunks loaded later (the graph, the
// editor) together, each gzipped with node:zlib at its default level. The figures are printed.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const assets = fileURLToPath(new URL('../../dist/assets/', import.meta.url));
const BUDGET = 300 * 1024;

it('ships under 300 KB of JavaScript gzipped, all chunks together', () => {
  assert.ok(existsSync(assets), `${assets} is missing: run npm run build`);
  const files = readdirSync(assets).filter((f) => f.endsWith('.js'));
  assert.ok(
    files.some((f) => f.startsWith('index-')),
    'the entry chunk is built',
  );
  const sizes = files.map((f) => {
    const raw = readFileSync(join(assets, f));
    return { f, raw: raw.length, gzip: gzipSync(raw).length };
  });
  const total = sizes.reduce((a, s) => a + s.gzip, 0);
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  for (const s of sizes) console.log(`${s.f}: ${kb(s.raw)}, ${kb(s.gzip)} gzipped`);
  console.log(`console JavaScript: ${kb(total)} gzipped in ${files.length} files (budget ${kb(BUDGET)})`);
  assert.ok(total < BUDGET, `${kb(total)} gzipped is over the ${kb(BUDGET)} budget`);
});
