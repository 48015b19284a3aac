// The request hash for ring_hash and maglev from a route's hash policies (gRFC A42, Envoy:
// config.route.v3.RouteAction.HashPolicy). Supported, as in gRPC: `header` (values of a repeated
// header joined with ",", optionally rewritten by a regex first; binary `-bin` headers skipped)
// and `filter_state` with key `io.grpc.channel_id` (a per-channel id, so every call of a channel
// hashes alike). Other kinds (cookie, connection_properties, query_parameter) are left out by the
// decoder.
// Policies combine as Envoy does: hash = rotl64(hash, 1) ^ next; a `terminal` policy that
// produced a hash ends the walk. No hash at all means "pick at random" (undefined).

import { Code, RpcError } from '@shoal/rpc/client';
import { compileRe2, re2Substitution, type XdsHashPolicy } from '@shoal/xds/plugins';
import { xxHash64 } from './xxhash64.js';

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

/** A route's hash policies as @shoal/xds decoded them (and validated their regexes), compiled once. */
export class RequestHasher {
  private readonly policies: CompiledPolicy[] = [];

  constructor(policies: readonly XdsHashPolicy[]) {
    for (const p of policies) {
      if (p.kind === 'channel_id') {
        this.policies.push({ kind: 'channel', header: '', rewrite: undefined, terminal: p.terminal });
        continue;
      }
      if (p.header.endsWith('-bin')) continue;
      let rewrite: CompiledPolicy['rewrite'];
      if (p.regexRewrite !== undefined) {
        const re = compileRe2(p.regexRewrite.pattern, true);
        // The decoder NACKs an invalid pattern: one here is a bug.
        if (typeof re === 'string') throw new RpcError(Code.INTERNAL, `hash policy regex_rewrite: ${re}`);
        rewrite = { re, substitution: re2Substitution(p.regexRewrite.substitution) };
      }
      this.policies.push({ kind: 'header', header: p.header, rewrite, terminal: p.terminal });
    }
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
