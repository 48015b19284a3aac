// Resource types as plug-ins of an XdsClient (Envoy xDS protocol: "Resource types"; gRFC A27).
// Each client owns its registry; the built-in four are registered in one visible place
// (default-resource-types.ts), and an app may add its own.
import type { Any } from '@bufbuild/protobuf/wkt';
import { Code, RpcError } from '@shoal/rpc/client';
import type { DecodeResult } from '../resources/decode-result.js';

/** The outcome of decoding one resource: its name and value, or every error with its field path. */
export type XdsDecodeResult<T> = DecodeResult<T>;

/** A resource type as a plug-in: its type URL and how to decode and validate a resource. */
export interface XdsResourceType<T = unknown> {
  /** `type.googleapis.com/envoy.config.listener.v3.Listener`, etc. */
  readonly typeUrl: string;
  /** Short name for logs and NACK messages: `lds`, `rds`, `cds`, `eds`. */
  readonly shortName: string;
  /** What one resource is called in errors: `listener`, `cluster`, ... */
  readonly resourceLabel: string;
  /**
   * State of the world: every response lists every subscribed resource (LDS and CDS), so a
   * subscribed name missing from a response has been deleted.
   */
  readonly allResourcesRequired: boolean;
  /** Decodes and validates one resource. Never throws on bad input: errors go in the result. */
  decode(resource: Any): XdsDecodeResult<T>;
  /** True when an update changes nothing a watcher cares about. Default: identical bytes. */
  equal?(a: T, b: T): boolean;
}

/** The resource types one client understands, by type URL. */
export class XdsResourceTypeRegistry {
  private readonly byUrl = new Map<string, XdsResourceType>();

  register<T>(type: XdsResourceType<T>): void {
    if (this.byUrl.has(type.typeUrl)) {
      throw new RpcError(Code.ALREADY_EXISTS, `xDS resource type ${type.typeUrl} is already registered`);
    }
    this.byUrl.set(type.typeUrl, type as XdsResourceType);
  }

  get(typeUrl: string): XdsResourceType | undefined {
    return this.byUrl.get(typeUrl);
  }

  /** Like get, but an unregistered type is an error naming it. */
  require(typeUrl: string): XdsResourceType {
    const type = this.byUrl.get(typeUrl);
    if (!type) throw new RpcError(Code.INVALID_ARGUMENT, `xDS resource type ${typeUrl} is not registered`);
    return type;
  }

  get typeUrls(): readonly string[] {
    return [...this.byUrl.keys()];
  }
}
