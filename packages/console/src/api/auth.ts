// Who may change the mesh from this browser. The control plane says in its status whether writes
// need the admin token (`auth.writes: "token"`) or not; the token is pasted by the user, or taken
// from the `#token=` part of the URL that `shoal cp` prints, and kept for this tab only.

import { computed, signal } from '@preact/signals';
import { status } from './live.js';

const KEY = 'shoal-admin-token';

export const token = signal<string | null>(readToken());
/** The last refusal of a write, shown until a token is given. */
export const refusal = signal<string | null>(null);

function readToken(): string | null {
  const m = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
  if (m?.[1]) {
    sessionStorage.setItem(KEY, decodeURIComponent(m[1]));
    history.replaceState(null, '', location.hash.replace(/[#&]?token=[^&]+/, '') || '#/');
  }
  return sessionStorage.getItem(KEY);
}

export function setToken(value: string | null): void {
  if (value) sessionStorage.setItem(KEY, value);
  else sessionStorage.removeItem(KEY);
  token.value = value;
  refusal.value = null;
}

export function authHeaders(): Record<string, string> {
  return token.value ? { authorization: `Bearer ${token.value}` } : {};
}

export function onUnauthorized(message: string): void {
  refusal.value = message;
}

/** Whether this console can write, and if not, why. */
export const writeAccess = computed(() => {
  // Until the status arrives, assume what every Shoal control plane says: writes need the token.
  const writes = status.value?.auth.writes ?? 'token';
  if (refusal.value) return { canWrite: false, why: `the control plane refused a write: ${refusal.value}` };
  if (writes === 'token' && !token.value)
    return {
      canWrite: false,
      why: "read-only: writes need the admin token (the admin-token file in the control plane's --data-dir)",
    };
  return { canWrite: true, why: 'writes use the admin token you gave' };
});
