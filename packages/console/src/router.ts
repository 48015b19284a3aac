// Hash routes (`#/services/greeter.default.svc.cluster.local`), so the control plane serves one
// index.html and every view has a URL that can be shared and reloaded.

import { signal } from '@preact/signals';

export interface Route {
  view: string;
  params: string[];
}

export function parseRoute(hash: string): Route {
  const [view = 'overview', ...params] = hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter(Boolean)
    .map(decodeURIComponent);
  return { view, params };
}

export const route = signal<Route>(parseRoute(location.hash));

export function startRouter(): void {
  window.addEventListener('hashchange', () => {
    route.value = parseRoute(location.hash);
  });
}

export const href = (...parts: string[]) => `#/${parts.map(encodeURIComponent).join('/')}`;
