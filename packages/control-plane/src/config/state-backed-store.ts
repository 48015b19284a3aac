// What every config store backend answers the same way: reads come from the ConfigState it keeps
// in this process (fed by its backend), so each backend only writes its own way.

import type { AnyConfigObject, ConfigKind } from './config-object.js';
import { ConfigState, type ConfigStateOptions } from './config-state.js';
import type { ConfigListener } from './config-store.js';
import type { ConfigValidator } from './config-validator.js';

export abstract class StateBackedStore {
  protected readonly state: ConfigState;

  constructor(options: ConfigStateOptions) {
    this.state = new ConfigState(options);
  }

  get version(): number {
    return this.state.version;
  }

  get validator(): ConfigValidator {
    return this.state.validator;
  }

  get<K extends ConfigKind>(
    kind: K,
    namespace: string,
    name: string,
  ): Extract<AnyConfigObject, { kind: K }> | undefined {
    return this.state.get(kind, namespace, name);
  }

  list<K extends ConfigKind>(kind?: K, namespace?: string): Extract<AnyConfigObject, { kind: K }>[] {
    return this.state.list(kind, namespace);
  }

  ownerOf(kind: ConfigKind, namespace: string, name: string): string | undefined {
    return this.state.ownerOf(kind, namespace, name);
  }

  subscribe(listener: ConfigListener): () => void {
    return this.state.subscribe(listener);
  }
}
