// The router (Envoy: extensions.filters.http.router.v3.Router) as a plug-in: the terminal filter
// every chain ends with (gRFC A39). It builds no interceptor: what it stands for is the mesh's own
// last step, the client's dispatch to the route's cluster and the server's call to its handler.

import { routerFilterType } from '@shoal/xds/plugins';
import type { HttpFilterPlugin } from './http-filter.js';

/** The router filter (envoy.filters.http.router): the last filter of a chain; it builds no interceptor. */
export const routerFilter: HttpFilterPlugin = routerFilterType;
