// node:http2, loaded when the opt-in transport is first used: a process on Shoal's own HTTP/2
// never spends its start-up compiling node's.

import type http2 from 'node:http2';
import { createRequire } from 'node:module';

let loaded: typeof http2 | undefined;

export function nodeHttp2(): typeof http2 {
  loaded ??= createRequire(import.meta.url)('node:http2') as typeof http2;
  return loaded;
}
