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
  const writes = (status.value?.auth as { writes?: string } | undefined)?.writes ?? 'open';
  if (refusal.value) return { canWrite: false, why: `the control plane refused a write: ${refusal.value}` };
  if (writes === 'open') return { canWrite: true, why: 'this control plane takes writes without a token' };
  if (writes === 'token' && !token.value)
    return {
      canWrite: false,
      why: "read-only: writes need the admin token (the admin-token file in the control plane's --data-dir)",
    };
  if (writes === 'token') return { canWrite: true, why: 'writes use the admin token you gave' };
  return { canWrite: false, why: `read-only: the control plane takes no writes (${writes})` };
});
