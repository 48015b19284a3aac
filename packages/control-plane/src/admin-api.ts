// Public API of the `@shoal/control-plane/admin-api` entry point: the admin API's answer types
// (JSON over HTTP, ADMIN-API.md) for its clients, the CLI and the console, and the one-line issue
// format. The admin server builds its answers with these types, so they are the contract, written
// once. One module per concern under src/admin/api/; a new concern adds its module and a line here.
// Loading it loads nothing but formatIssue and the config-file annotation's name.

export type * from './admin/api/analysis.js';
export type * from './admin/api/config.js';
export type * from './admin/api/errors.js';
export type * from './admin/api/events.js';
export type * from './admin/api/history.js';
export type * from './admin/api/instances.js';
export type * from './admin/api/load-reports.js';
export type * from './admin/api/registry.js';
export type * from './admin/api/security.js';
export type * from './admin/api/status.js';
export type * from './admin/api/traffic.js';
export type * from './admin/api/xds-clients.js';
export { CONFIG_FILE_ANNOTATION } from './config/config-file-annotation.js';
export { formatIssue } from './config/issues.js';
