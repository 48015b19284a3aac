// The usual way to get an xDS client (gRFC A27): bootstrap from the environment or given, and the
// four built-in resource types registered.
import { type DefaultResourceTypeOptions, registerDefaultResourceTypes } from './default-resource-types.js';
import { XdsClient, type XdsClientOptions } from './xds-client.js';

/** An xDS client with the four resource types (LDS, RDS, CDS, EDS) registered. */
export function createXdsClient(options: XdsClientOptions & DefaultResourceTypeOptions = {}): XdsClient {
  return registerDefaultResourceTypes(new XdsClient(options), options);
}
