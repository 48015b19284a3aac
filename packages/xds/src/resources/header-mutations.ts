// Envoy's route-level header mutations as a plain model: `request_headers_to_add/remove` and
// `response_headers_to_add/remove` of a RouteConfiguration, VirtualHost, Route or weighted
// cluster (Envoy: config.core.v3.HeaderValueOption and its HeaderAppendAction; the deprecated
// `append` BoolValue wins when set). Envoy refuses to change pseudo-headers and `host` this way,
// and so do we. gRPC clients ignore these fields; Shoal's mesh client applies them.
import type { HeaderValueOption } from '../gen/envoy/config/core/v3/base_pb.js';
import { HeaderValueOption_HeaderAppendAction as AppendAction } from '../gen/envoy/config/core/v3/base_pb.js';
import { at, index, type Problems } from './decode-result.js';

/** What a header addition does when the header is already there (Envoy's HeaderAppendAction). */
export type XdsHeaderAppend =
  /** APPEND_IF_EXISTS_OR_ADD: one more value. */
  | 'append'
  /** ADD_IF_ABSENT: only when the header is missing. */
  | 'add_if_absent'
  /** OVERWRITE_IF_EXISTS_OR_ADD: replaces every value. */
  | 'overwrite'
  /** OVERWRITE_IF_EXISTS: replaces, and adds nothing when the header is missing. */
  | 'overwrite_if_exists';

export interface XdsHeaderAddition {
  /** Lower case. */
  readonly name: string;
  readonly value: string;
  readonly append: XdsHeaderAppend;
  /** Envoy skips an addition whose value is empty unless this is set. */
  readonly keepEmptyValue: boolean;
}

/** One direction's mutations at one level: removals first, then additions in order (Envoy's order). */
export interface XdsHeaderMutations {
  readonly remove: readonly string[];
  readonly add: readonly XdsHeaderAddition[];
}

/** The request and response mutations at one level; absent when it has none. */
export interface XdsHeaderRules {
  readonly request?: XdsHeaderMutations;
  readonly response?: XdsHeaderMutations;
}

/** The fields of a message with header mutations (RouteConfiguration, VirtualHost, Route, ClusterWeight). */
export interface HeaderMutationFields {
  requestHeadersToAdd: HeaderValueOption[];
  requestHeadersToRemove: string[];
  responseHeadersToAdd: HeaderValueOption[];
  responseHeadersToRemove: string[];
}

const APPEND: Record<AppendAction, XdsHeaderAppend> = {
  [AppendAction.APPEND_IF_EXISTS_OR_ADD]: 'append',
  [AppendAction.ADD_IF_ABSENT]: 'add_if_absent',
  [AppendAction.OVERWRITE_IF_EXISTS_OR_ADD]: 'overwrite',
  [AppendAction.OVERWRITE_IF_EXISTS]: 'overwrite_if_exists',
};

/** Decodes the four mutation fields of `m`; errors name `request_headers_to_add[i]` etc. under `path`. */
export function decodeHeaderRules(m: HeaderMutationFields, path: string, problems: Problems): XdsHeaderRules {
  const request = decodeMutations(
    m.requestHeadersToAdd,
    m.requestHeadersToRemove,
    at(path, 'request_headers_to_add'),
    at(path, 'request_headers_to_remove'),
    problems,
  );
  const response = decodeMutations(
    m.responseHeadersToAdd,
    m.responseHeadersToRemove,
    at(path, 'response_headers_to_add'),
    at(path, 'response_headers_to_remove'),
    problems,
  );
  return { ...(request && { request }), ...(response && { response }) };
}

function decodeMutations(
  toAdd: HeaderValueOption[],
  toRemove: string[],
  addPath: string,
  removePath: string,
  problems: Problems,
): XdsHeaderMutations | undefined {
  if (toAdd.length === 0 && toRemove.length === 0) return undefined;
  const remove: string[] = [];
  toRemove.forEach((name, i) => {
    const problem = nameProblem(name);
    if (problem) problems.add(index(removePath, i), problem);
    else remove.push(name.toLowerCase());
  });
  const add: XdsHeaderAddition[] = [];
  toAdd.forEach((o, i) => {
    const p = index(addPath, i);
    const header = o.header;
    if (!header) {
      problems.add(at(p, 'header'), 'is required');
      return;
    }
    const problem = nameProblem(header.key);
    if (problem) {
      problems.add(at(p, 'header.key'), problem);
      return;
    }
    if (o.append !== undefined && o.appendAction !== AppendAction.APPEND_IF_EXISTS_OR_ADD) {
      problems.add(p, 'append and append_action cannot both be set');
      return;
    }
    const value = header.value !== '' ? header.value : new TextDecoder().decode(header.rawValue);
    const append =
      o.append === undefined ? APPEND[o.appendAction] : o.append ? 'append' : ('overwrite' as const);
    if (append === undefined) {
      problems.add(at(p, 'append_action'), `unknown action ${o.appendAction}`);
      return;
    }
    add.push({ name: header.key.toLowerCase(), value, append, keepEmptyValue: o.keepEmptyValue });
  });
  return { remove, add };
}

/** Envoy: a mutation may not touch pseudo-headers or `host`; names are HTTP header names. */
function nameProblem(name: string): string | undefined {
  if (name === '') return 'header name must not be empty';
  if (name.startsWith(':') || name.toLowerCase() === 'host')
    return `${JSON.stringify(name)}: pseudo-headers and host cannot be modified`;
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) return `${JSON.stringify(name)} is not a header name`;
  return undefined;
}
