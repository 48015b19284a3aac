// Public API of @shoal/rpc. Everything not exported here is internal.
export { Code, codeFromHttpStatus, codeFromName, codeName, httpStatusFromCode, parseCode } from './code.js';
export { Metadata, type MetadataValue } from './metadata.js';
export { type ErrorDetail, RpcError } from './rpc-error.js';
