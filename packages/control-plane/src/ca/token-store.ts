// Tokens that prove a workload's identity to the CA, as in Istio's VM onboarding: the operator
// creates one per service account (`shoal token create --namespace NS --service-account SA`) and
// hands it to the workload; the CA then signs only that namespace and service account for it.
// A token is `shoal.<id>.<secret>`; only its id and the secret's SHA-256 are kept (in
// `<data-dir>/tokens.json`, 0600), so the file cannot be used to sign in. Replicas keep them in
// their shared store instead (one key per token, followed by every replica: `share()`), so a
// token created or revoked through any replica holds at all of them.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SharedState } from '../backends/store-backends.js';
import type { DataDir } from '../state/data-dir.js';

/** A token as the store keeps it (its secret never leaves the store). */
export interface TokenRecord {
  readonly id: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly createdAt: string;
  /** ISO time; absent for a token that does not expire. */
  readonly expiresAt?: string;
}

interface StoredToken extends TokenRecord {
  readonly sha256: string;
}

const FILE = 'tokens.json';
/** Where tokens live in a shared store: `tokens/<id>`. */
const SHARED_PREFIX = 'tokens/';
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SERVICE_ACCOUNT = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export class TokenStore {
  private readonly dir: DataDir | undefined;
  private readonly tokens = new Map<string, StoredToken>();
  private shared: SharedState | undefined;
  private following: { close(): Promise<void> } | undefined;
  /** Writes to the shared store not yet acknowledged. */
  private readonly writes = new Set<Promise<void>>();

  constructor(dir?: DataDir) {
    this.dir = dir;
    const text = dir?.read(FILE);
    if (text === undefined) return;
    let saved: unknown;
    try {
      saved = JSON.parse(text);
    } catch (err) {
      throw new Error(`${dir!.file(FILE)} is not valid JSON: ${(err as Error).message}`);
    }
    for (const t of (saved as { tokens?: StoredToken[] }).tokens ?? []) this.tokens.set(t.id, t);
  }

  /** Makes a token; the text is returned once and never stored. Throws on a bad name or TTL. */
  create(request: { namespace: string; serviceAccount: string; ttlMs?: number }): {
    token: string;
    record: TokenRecord;
  } {
    if (!DNS_LABEL.test(request.namespace))
      throw new Error(`namespace ${JSON.stringify(request.namespace)} is not a DNS-1123 label`);
    if (!SERVICE_ACCOUNT.test(request.serviceAccount))
      throw new Error(
        `service account ${JSON.stringify(request.serviceAccount)} is not a DNS-1123 subdomain`,
      );
    if (request.ttlMs !== undefined && !(request.ttlMs > 0)) throw new Error('the ttl must be positive');
    const id = randomBytes(6).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const now = Date.now();
    const record: StoredToken = {
      id,
      namespace: request.namespace,
      serviceAccount: request.serviceAccount,
      createdAt: new Date(now).toISOString(),
      ...(request.ttlMs !== undefined && { expiresAt: new Date(now + request.ttlMs).toISOString() }),
      sha256: hash(secret),
    };
    this.tokens.set(id, record);
    this.save(record);
    return { token: `shoal.${id}.${secret}`, record: publicRecord(record) };
  }

  list(): TokenRecord[] {
    return [...this.tokens.values()].map(publicRecord).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** True when the token existed. */
  revoke(id: string): boolean {
    const stored = this.tokens.get(id);
    if (!stored) return false;
    this.tokens.delete(id);
    this.save(stored, true);
    return true;
  }

  /** The identity a token grants, or why it grants none. */
  verify(token: string): { record: TokenRecord } | { error: string } {
    const m = /^shoal\.([0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/.exec(token.trim());
    if (!m)
      return { error: 'the token is not a Shoal token (shoal.<id>.<secret>, from `shoal token create`)' };
    const stored = this.tokens.get(m[1]!);
    const given = Buffer.from(hash(m[2]!), 'hex');
    if (!stored || !timingSafeEqual(given, Buffer.from(stored.sha256, 'hex')))
      return { error: `token ${m[1]} is unknown or revoked` };
    if (stored.expiresAt !== undefined && Date.parse(stored.expiresAt) <= Date.now())
      return { error: `token ${m[1]} expired at ${stored.expiresAt}` };
    return { record: publicRecord(stored) };
  }

  /**
   * From now on, keeps the tokens in the replicas' shared store and follows what every replica
   * writes there. Those of tokens.json are not used then (a token revoked through another replica
   * must not come back from this one's file). Returns how many tokens.json held.
   */
  async share(shared: SharedState): Promise<number> {
    const unused = this.tokens.size;
    this.tokens.clear();
    this.shared = shared;
    const load = (id: string, text: string) => {
      try {
        this.tokens.set(id, JSON.parse(text) as StoredToken);
      } catch {
        this.tokens.delete(id); // not ours to repair; the token is simply not valid here
      }
    };
    this.following = await shared.follow(SHARED_PREFIX, {
      reset: (values) => {
        this.tokens.clear();
        for (const [id, text] of values) load(id, text);
      },
      change: (id, text) => (text === undefined ? this.tokens.delete(id) : load(id, text)),
    });
    return unused;
  }

  /**
   * Resolves once every create and revoke so far is stored where every replica reads it;
   * rejects with the first that failed (a token whose creation failed is not valid here either).
   */
  async saved(): Promise<void> {
    await Promise.all(this.writes);
  }

  async close(): Promise<void> {
    await this.following?.close();
  }

  private save(changed: StoredToken, revoked = false): void {
    if (!this.shared) {
      this.dir?.write(FILE, `${JSON.stringify({ tokens: [...this.tokens.values()] }, null, 2)}\n`);
      return;
    }
    const write = this.shared
      .put(SHARED_PREFIX + changed.id, revoked ? undefined : JSON.stringify(changed))
      .catch((err: unknown) => {
        if (!revoked) this.tokens.delete(changed.id);
        throw new Error(
          `token ${changed.id} could not be ${revoked ? 'revoked' : 'stored'} in ${this.shared?.description}: ${(err as Error).message}`,
        );
      })
      .finally(() => this.writes.delete(write));
    write.catch(() => {}); // reported by saved()
    this.writes.add(write);
  }
}

function hash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function publicRecord({ sha256: _, ...record }: StoredToken): TokenRecord {
  return record;
}
