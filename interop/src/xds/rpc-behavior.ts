// gRPC xDS interop: the `rpc-behavior` request metadata that gRPC's xDS interop server honours.
// Each value is a comma-separated list of behaviours; a behaviour may be prefixed with
// `hostname=H ` so that it only applies on the server whose hostname is H:
//   sleep-N                     wait N seconds before answering
//   keep-open                   never answer (the call ends when the client gives up)
//   error-code-N                fail with gRPC status code N
//   succeed-on-retry-attempt-N  answer at once when grpc-previous-rpc-attempts is N

import { Code, type Metadata, RpcError } from '@shoal/rpc';

export const RPC_BEHAVIOR_HEADER = 'rpc-behavior';

export type RpcBehavior =
  | { readonly kind: 'sleep'; readonly seconds: number }
  | { readonly kind: 'keep-open' }
  | { readonly kind: 'error-code'; readonly code: number }
  | { readonly kind: 'succeed-on-retry-attempt'; readonly attempt: number };

/** Parses the behaviours that apply on `hostname`; an unknown behaviour is an INVALID_ARGUMENT error. */
export function parseRpcBehaviors(values: readonly string[], hostname: string): RpcBehavior[] {
  const out: RpcBehavior[] = [];
  for (const value of values) {
    for (const raw of value.split(',')) {
      let item = raw.trim();
      if (item === '') continue;
      if (item.startsWith('hostname=')) {
        const space = item.indexOf(' ');
        if (space < 0) throw invalid(raw, 'a hostname= prefix needs a behaviour after a space');
        const host = item.slice('hostname='.length, space);
        item = item.slice(space + 1).trim();
        if (host !== hostname) continue;
      }
      out.push(parseOne(item, raw));
    }
  }
  return out;
}

function parseOne(item: string, raw: string): RpcBehavior {
  if (item === 'keep-open') return { kind: 'keep-open' };
  const number = (prefix: string): number | undefined => {
    if (!item.startsWith(prefix)) return undefined;
    const text = item.slice(prefix.length);
    if (!/^\d+$/.test(text)) throw invalid(raw, `"${prefix}" needs a non-negative integer`);
    return Number(text);
  };
  const seconds = number('sleep-');
  if (seconds !== undefined) return { kind: 'sleep', seconds };
  const code = number('error-code-');
  if (code !== undefined) {
    if (code > 16) throw invalid(raw, 'error-code must be a gRPC status code (0-16)');
    return { kind: 'error-code', code };
  }
  const attempt = number('succeed-on-retry-attempt-');
  if (attempt !== undefined) return { kind: 'succeed-on-retry-attempt', attempt };
  throw invalid(raw, 'unknown behaviour');
}

function invalid(raw: string, why: string): RpcError {
  return new RpcError(Code.INVALID_ARGUMENT, `${RPC_BEHAVIOR_HEADER} "${raw.trim()}": ${why}`);
}

/**
 * Carries out the behaviours of a call's metadata, in order. Resolves when the call may be
 * answered normally; rejects with the requested status, or CANCELLED when `signal` aborts.
 */
export async function applyRpcBehaviors(
  header: Metadata,
  hostname: string,
  signal: AbortSignal,
): Promise<void> {
  const values = header.getAll(RPC_BEHAVIOR_HEADER).filter((v): v is string => typeof v === 'string');
  if (values.length === 0) return;
  const behaviors = parseRpcBehaviors(values, hostname);
  const previousAttempts = Number(header.getString('grpc-previous-rpc-attempts') ?? '0');
  for (const behavior of behaviors) {
    switch (behavior.kind) {
      case 'succeed-on-retry-attempt':
        if (previousAttempts === behavior.attempt) return;
        break;
      case 'sleep':
        await waitOrAbort(behavior.seconds * 1000, signal);
        break;
      case 'keep-open':
        await waitOrAbort(undefined, signal);
        break;
      case 'error-code':
        throw new RpcError(behavior.code as Code, `rpc-behavior asked for status ${behavior.code}`);
    }
  }
}

/** Waits ms (forever when undefined), or rejects with CANCELLED once the call is aborted. */
function waitOrAbort(ms: number | undefined, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(new RpcError(Code.CANCELLED, 'call ended while rpc-behavior held it'));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    if (ms !== undefined) {
      timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
    }
  });
}
