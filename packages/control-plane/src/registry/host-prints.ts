// Fingerprints of a view of services and endpoints, by host: which hosts a change touched, so the
// ADS server pushes only to the clients that watch them.

import { canonicalJson } from '../config/canonical-json.js';
import type { ConfigView } from './config-services.js';

/** Fingerprints a view by host; which hosts differ from `before`. */
export function diffHosts(
  view: ConfigView,
  before: ReadonlyMap<string, string>,
): { prints: Map<string, string>; changed: string[] } {
  const parts = new Map<string, unknown[]>();
  const add = (host: string, item: unknown) => {
    const list = parts.get(host);
    if (list) list.push(item);
    else parts.set(host, [item]);
  };
  for (const s of view.services) add(s.hostname, s);
  for (const e of view.endpoints) add(e.hostname, e);
  const prints = new Map([...parts].map(([host, items]) => [host, canonicalJson(items)]));
  const changed = new Set<string>();
  for (const [host, print] of prints) if (before.get(host) !== print) changed.add(host);
  for (const host of before.keys()) if (!prints.has(host)) changed.add(host);
  return { prints, changed: [...changed].sort() };
}
