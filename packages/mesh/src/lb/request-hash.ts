// The request hash for ring_hash and maglev from a route's hash policies (gRFC A42, Envoy:
// config.route.v3.RouteAction.HashPolicy). Supported, as in gRPC: `header` (values of a repeated
// header joined with ",", optionally rewritten by a regex first; binary `-bin` headers skipped)
// and `filter_state` with key `io.grpc.channel_id` (a per-channel id, so every call of a channel
// hashes alike). Other kinds (cookie, connection_properties, query_parameter) are ignored.
// Policies combine as Envoy does: hash = rotl64(hash, 1) ^ next; a `terminal` policy that
// produced a hash ends the walk. No hash at all means "pick at random" (undefined).

import { ConfigErrors } from './config-error.js';
import { xxHash64 } from './xxhash64.js';

export type HashPolicySettings =
  | {
      header: { headerName: string; regexRewrite?: { pattern: string; substitution: string } };
      terminal?: boolean;
    }
  | { filterState: { key: string }; terminal?: boolean }
  | { [other: string]: unknown; terminal?: boolean };

/** Request headers (e.g. @shoal/rpc Metadata). */
export interface RequestHeaderSource {
  getAll(key: string): readonly (string | Uint8Array)[];
}

interface CompiledPolicy {
  readonly kind: 'header' | 'channel';
  readonly header: string;
  readonly rewrite: { re: RegExp; substitution: string } | undefined;
  readonly terminal: boolean;
}

export const CHANNEL_ID_KEY = 'io.grpc.channel_id';

/** A route's hash policies, compiled once when the route config is accepted. */
export class RequestHasher {
  private readonly policies: CompiledPolicy[] = [];

  constructor(settings: readonly HashPolicySettings[], path = 'hashPolicy') {
    const errors = new ConfigErrors('hash policy');
    settings.forEach((s, i) => {
      const p = `${path}[${i}]`;
      const terminal = s.terminal === true;
      if ('header' in s && s.header !== undefined) {
        const h = s.header as {
          headerName?: unknown;
          regexRewrite?: { pattern?: unknown; substitution?: unknown };
        };
        if (typeof h.headerName !== 'string' || h.headerName === '') {
          errors.add(`${p}.header.headerName`, 'must be a non-empty string');
          return;
        }
        let rewrite: CompiledPolicy['rewrite'];
        if (h.regexRewrite !== undefined) {
          const { pattern, substitution } = h.regexRewrite;
          try {
            rewrite = {
              re: new RegExp(String(pattern), 'g'),
              // RE2 substitutions write groups as \1; JavaScript wants $1.
              substitution: String(substitution ?? '').replace(/\\(\d)/g, '$$$1'),
            };
          } catch (err) {
            errors.add(`${p}.header.regexRewrite.pattern`, `invalid regex: ${(err as Error).message}`);
            return;
          }
        }
        const name = h.headerName.toLowerCase();
        if (name.endsWith('-bin')) return;
        this.policies.push({ kind: 'header', header: name, rewrite, terminal });
      } else if ('filterState' in s && s.filterState !== undefined) {
        if ((s.filterState as { key?: unknown }).key === CHANNEL_ID_KEY)
          this.policies.push({ kind: 'channel', header: '', rewrite: undefined, terminal });
      }
    });
    errors.throwIfAny();
  }

  /** True when no policy can produce a hash (calls then pick at random). */
  get empty(): boolean {
    return this.policies.length === 0;
  }

  /** The request's hash, or undefined when no policy produced one. */
  hash(headers: RequestHeaderSource | undefined, channelId: bigint): bigint | undefined {
    let hash: bigint | undefined;
    for (const p of this.policies) {
      let next: bigint | undefined;
      if (p.kind === 'channel') next = channelId;
      else {
        const values = headers?.getAll(p.header);
        if (values !== undefined && values.length > 0) {
          const only = values.length === 1 ? values[0] : undefined;
          let joined =
            typeof only === 'string'
              ? only
              : values.map((v) => (typeof v === 'string' ? v : Buffer.from(v).toString())).join(',');
          if (p.rewrite) joined = joined.replace(p.rewrite.re, p.rewrite.substitution);
          next = xxHash64(joined);
        }
      }
      if (next === undefined) continue;
      hash = hash === undefined ? next : rotl1(hash) ^ next;
      if (p.terminal) break;
    }
    return hash;
  }
}

function rotl1(h: bigint): bigint {
  return ((h << 1n) | (h >> 63n)) & 0xffffffffffffffffn;
}
