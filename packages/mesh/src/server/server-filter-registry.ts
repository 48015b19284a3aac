// The HTTP filters an xDS-enabled server runs, registered in one visible place: the client's
// (router, fault injection) and RBAC (gRFC A41). A superset of the client's registry, so one
// XdsClient shared by a process's clients and servers can decode every Listener with it. Kept
// apart from the client's so a calling-only process never loads RBAC.

import type { HttpFilterPlugins } from '../filters/http-filter.js';
import { createHttpFilterRegistry } from '../filters/http-filter-registry.js';
import { rbacFilter } from './rbac-filter.js';

/** A server-side HTTP filter registry: router, fault and RBAC. */
export function createServerHttpFilterRegistry(): HttpFilterPlugins {
  return createHttpFilterRegistry().register(rbacFilter);
}
