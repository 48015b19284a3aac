// `--store etcd://HOST:PORT[,HOST:PORT...]`: config and registrations in etcd, shared by every
// control-plane replica on the same prefix. Each replica watches etcd and serves its own clients;
// the elected leader sweeps ended registrations; a replica cut off from etcd reports itself not
// current (the control plane then stops serving until it has resynced). The CA's root is kept
// there too (`<prefix>/state/ca-root`), so every replica signs with the same one, and so are the
// workload tokens (`<prefix>/state/tokens/ID`), so every replica's CA honours them.

import { EtcdConfigStore } from '../config/etcd-config-store.js';
import { EtcdRegistrations } from '../registry/etcd-registrations.js';
import { EtcdLeadership } from './etcd-leadership.js';
import { EtcdSession, parseEtcdStore } from './etcd-session.js';
import { EtcdSharedState } from './etcd-shared-state.js';
import type { BackendContext, StoreBackend } from './store-backends.js';

/** How often the leader looks for registrations whose grace period ended. */
const SWEEP_MS = 1000;

export function etcdBackend(context: BackendContext): StoreBackend {
  const { prefix, log, validator, graceMs } = context;
  const session = new EtcdSession({ endpoints: parseEtcdStore(context.store), prefix, log });
  const config = new EtcdConfigStore({
    client: session.client,
    prefix,
    description: `${context.store} (prefix ${prefix})`,
    ...(validator && { validator }),
  });
  session.onResync(() => config.resync());
  const registrations = new EtcdRegistrations({ session, log, ...(graceMs !== undefined && { graceMs }) });
  const leadership = new EtcdLeadership(session, { log });
  let sweeper: NodeJS.Timeout | undefined;
  leadership.onChange((leader) => {
    clearInterval(sweeper);
    sweeper = undefined;
    if (!leader) return;
    sweeper = setInterval(() => {
      const fence = leadership.fence();
      if (!session.current || !fence) return;
      registrations
        .sweep(fence)
        .catch((err) => log('warn', 'sweeping ended registrations failed', { error: String(err) }));
    }, SWEEP_MS);
    sweeper.unref();
  });
  return {
    config,
    registrations,
    health: session,
    leadership,
    shared: new EtcdSharedState(session, context.store, log),
    start: async () => {
      await session.start();
      leadership.start();
    },
    close: async () => {
      clearInterval(sweeper);
      await leadership.close();
      await session.close();
    },
  };
}
