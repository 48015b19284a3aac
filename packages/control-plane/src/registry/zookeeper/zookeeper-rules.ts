// Dubbo's rules as Dubbo Admin writes them into ZooKeeper, `/dubbo/config/dubbo/<rule name>`, read
// as config: each node is a rule in Dubbo's YAML named after the node (`<key>.condition-router`,
// `<app>.tag-router`, `<key>.configurators`; `<app>.MESHAPPRULE` holds Dubbo's mesh rules). The
// valid ones are the config this source owns in the store (replacing what it had); an invalid one
// is logged with its errors and left out, as Dubbo leaves out a rule it cannot parse.
// Dubbo: ZookeeperDynamicConfiguration (root /dubbo/config, group dubbo), MeshRuleManager.

import type { AnyConfigObject } from '../../config/config-object.js';
import type { ConfigStore } from '../../config/config-store.js';
import { formatIssue } from '../../config/issues.js';
import { parseDocuments } from '../../config/parse-documents.js';
import { DUBBO_RULE_API_VERSION, parseDubboRuleName } from '../../dubbo/rule-names.js';
import type { ZooKeeperLog } from './zookeeper-source.js';
import type { ZooKeeperWatches } from './zookeeper-watches.js';

export const RULES_PATH = '/dubbo/config/dubbo';
const OWNER = 'zookeeper:/dubbo/config/dubbo';

export class ZooKeeperRules {
  readonly #texts = new Map<string, string>();
  #pending: NodeJS.Immediate | undefined;
  /** The applies to the store, one after another. */
  #applying: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(
    private readonly store: ConfigStore,
    private readonly watches: ZooKeeperWatches,
    private readonly log: ZooKeeperLog,
  ) {}

  /** Watches the rules of a session; resolves once the rules present are read. */
  async watch(session: number): Promise<void> {
    const reads: Promise<void>[] = [];
    await this.watches.children(RULES_PATH, session, (names) => {
      const present = new Set(names ?? []);
      for (const name of [...this.#texts.keys()]) if (!present.has(name)) this.#texts.delete(name);
      for (const name of present) {
        reads.push(
          this.watches.data(`${RULES_PATH}/${name}`, session, (data) => {
            if (data === undefined) this.#texts.delete(name);
            else this.#texts.set(name, data.toString('utf8'));
            this.#schedule();
          }),
        );
      }
      this.#schedule();
    });
    await Promise.allSettled(reads);
  }

  /** Forgets what an expired session read (the rules stay in the store until read again). */
  reset(): void {
    this.#texts.clear();
  }

  close(): void {
    this.#closed = true;
    if (this.#pending) clearImmediate(this.#pending);
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#pending ??= setImmediate(() => {
      this.#pending = undefined;
      // One apply at a time, each with the rules as read when it starts: the last read wins.
      this.#applying = this.#applying.then(() => this.#apply());
    });
  }

  /** Each rule node as documents Shoal stores, or undefined when it is not a rule Shoal knows. */
  #documents(name: string, text: string): unknown[] | undefined {
    if (name.endsWith('.MESHAPPRULE')) return parseDocuments(text, name).documents.map((d) => d.value);
    const rule = parseDubboRuleName(name);
    if (!rule) return undefined;
    const parsed = parseDocuments(text, name);
    const spec = parsed.documents[0]?.value;
    if (parsed.issues.length > 0) {
      this.log('warn', 'dubbo rule in zookeeper left out', {
        rule: name,
        errors: parsed.issues.map(formatIssue),
      });
      return undefined;
    }
    return [{ apiVersion: DUBBO_RULE_API_VERSION, kind: rule.kind, metadata: { name }, spec }];
  }

  async #apply(): Promise<void> {
    const objects: AnyConfigObject[] = [];
    for (const [name, text] of [...this.#texts].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const docs = this.#documents(name, text);
      if (!docs) continue;
      const loaded = this.store.validator;
      const results = docs.map((d, index) =>
        loaded.validate(d, { index, source: `zookeeper ${RULES_PATH}/${name}` }),
      );
      const errors = results.flatMap((r) => r.issues.filter((i) => i.severity === 'error'));
      if (errors.length > 0) {
        this.log('warn', 'dubbo rule in zookeeper left out', { rule: name, errors: errors.map(formatIssue) });
        continue;
      }
      for (const r of results) if (r.object) objects.push(r.object);
    }
    try {
      await this.store.replaceOwned(
        OWNER,
        { objects, skipped: [], errors: [], warnings: [] },
        { source: `zookeeper ${RULES_PATH}` },
      );
    } catch (err) {
      this.log('warn', 'dubbo rules from zookeeper rejected', { error: String(err) });
    }
  }
}
