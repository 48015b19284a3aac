// The HTTP filters a mesh client runs, registered in one visible place: the router and fault
// injection (gRFC A33). An xDS-enabled server's registry adds RBAC
// (../server/server-filter-registry.ts); applications register their own plug-ins on either.
// Each call makes a new registry, owned by whoever holds it (no module state).

import { HttpFilterRegistry } from '@shoal/xds/plugins';
import { faultFilter } from './fault-filter.js';
import type { HttpFilterPlugin, HttpFilterPlugins } from './http-filter.js';
import { routerFilter } from './router-filter.js';

/** A client-side HTTP filter registry with the router and fault filters registered. */
export function createHttpFilterRegistry(): HttpFilterPlugins {
  return new HttpFilterRegistry<HttpFilterPlugin>().register(routerFilter).register(faultFilter());
}
