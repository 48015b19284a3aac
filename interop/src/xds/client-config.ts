// gRPC xDS interop client: what it sends (RPC types, per-type metadata, deadline), from the
// command line (--rpc, --metadata, --rpc_timeout_sec) or from XdsUpdateClientConfigureService.

import {
  type ClientConfigureRequest,
  ClientConfigureRequest_RpcType as ProtoRpcType,
} from '../gen/grpc/testing/messages_pb.js';
import { FlagError } from './flags.js';

/** Method names, as --rpc and --metadata spell them and rpcs_by_method keys them. */
export type RpcType = 'EmptyCall' | 'UnaryCall';

export const RPC_TYPES: readonly RpcType[] = ['EmptyCall', 'UnaryCall'];

/** The RpcType enum's names ("EMPTY_CALL", "UNARY_CALL"): the keys of the accumulated stats. */
export function rpcTypeEnumName(type: RpcType): string {
  return type === 'EmptyCall' ? 'EMPTY_CALL' : 'UNARY_CALL';
}

export interface ClientConfig {
  /** Sent in this order, one of each per tick of the QPS schedule. */
  readonly types: readonly RpcType[];
  readonly metadata: ReadonlyMap<RpcType, readonly (readonly [string, string])[]>;
  readonly timeoutSec: number;
}

function isRpcType(text: string): text is RpcType {
  return (RPC_TYPES as readonly string[]).includes(text);
}

/** Keys of text metadata: [0-9a-z_.-], not ending in -bin (binary values have no flag syntax). */
function isTextKey(key: string): boolean {
  const k = key.toLowerCase();
  return /^[0-9a-z_.-]+$/.test(k) && !k.endsWith('-bin');
}

/** `--rpc=UnaryCall,EmptyCall`. */
export function parseRpcFlag(text: string): RpcType[] {
  const types: RpcType[] = [];
  for (const item of text.split(',')) {
    const name = item.trim();
    if (!isRpcType(name))
      throw new FlagError(`--rpc: unknown RPC type "${name}" (expected EmptyCall or UnaryCall)`);
    if (!types.includes(name)) types.push(name);
  }
  return types;
}

/** `--metadata=EmptyCall:key1:value1,UnaryCall:key2:value2` (the value may hold ':'). */
export function parseMetadataFlag(text: string): Map<RpcType, [string, string][]> {
  const metadata = new Map<RpcType, [string, string][]>();
  if (text.trim() === '') return metadata;
  for (const [i, item] of text.split(',').entries()) {
    const [type = '', key = '', ...rest] = item.split(':');
    if (!isRpcType(type)) throw new FlagError(`--metadata[${i}] "${item}": unknown RPC type "${type}"`);
    if (rest.length === 0 || !isTextKey(key)) {
      throw new FlagError(`--metadata[${i}] "${item}": expected TYPE:KEY:VALUE with a text metadata key`);
    }
    const list = metadata.get(type) ?? [];
    list.push([key.toLowerCase(), rest.join(':')]);
    metadata.set(type, list);
  }
  return metadata;
}

/**
 * The config a Configure call asks for. As in gRPC's clients, it replaces types and metadata
 * outright; a timeout_sec of 0 falls back to the command line's deadline.
 */
export function configFromRequest(request: ClientConfigureRequest, defaultTimeoutSec: number): ClientConfig {
  const toType = (t: ProtoRpcType, where: string): RpcType => {
    if (t === ProtoRpcType.EMPTY_CALL) return 'EmptyCall';
    if (t === ProtoRpcType.UNARY_CALL) return 'UnaryCall';
    throw new Error(`${where}: unknown RpcType ${t}`);
  };
  const types = request.types.map((t, i) => toType(t, `types[${i}]`));
  const metadata = new Map<RpcType, [string, string][]>();
  for (const [i, m] of request.metadata.entries()) {
    const type = toType(m.type, `metadata[${i}].type`);
    if (!isTextKey(m.key)) throw new Error(`metadata[${i}].key: "${m.key}" is not a text metadata key`);
    const list = metadata.get(type) ?? [];
    list.push([m.key.toLowerCase(), m.value]);
    metadata.set(type, list);
  }
  if (request.timeoutSec < 0) throw new Error(`timeout_sec: ${request.timeoutSec} is negative`);
  return { types: [...new Set(types)], metadata, timeoutSec: request.timeoutSec || defaultTimeoutSec };
}
