// The embedded backend (`--store memory`, the default): config and registrations in this process,
// saved in the data dir when there is one. One control plane; nothing to elect.

import { MemoryConfigStore } from '../config/memory-config-store.js';
import { MemoryRegistrations } from '../registry/memory-registrations.js';
import type { BackendContext, StoreBackend } from './store-backends.js';

export function memoryBackend(context: BackendContext): StoreBackend {
  const { dataDir, validator, graceMs, log } = context;
  return {
    config: new MemoryConfigStore({ ...(dataDir && { dataDir }), ...(validator && { validator }) }),
    registrations: new MemoryRegistrations({
      ...(dataDir && { dataDir }),
      ...(graceMs !== undefined && { graceMs }),
      onSaveError: (err) => log('warn', 'saving registrations failed', { error: String(err) }),
    }),
    start: async () => {},
    close: async () => {},
  };
}
