// Self-registration without Kubernetes (DESIGN.md): a Shoal process announces its services, port
// and labels in the metadata of the xDS Node it sends, and the control plane treats the live ADS
// stream as the instance's lease. The contract (the keys and what a Registration holds) is
// @shoal/xds's registration.ts, which the control plane reads with; this writes it. The locality
// goes in the Node's own `locality` (Envoy: config.core.v3.Node), which is also what the caller's
// locality is read from.

import type { JsonObject } from '@bufbuild/protobuf';
import { Code, RpcError } from '@shoal/rpc';
import { type Registration, RegistrationKeys, type XdsBootstrap } from '@shoal/xds/client';

/** Checks a registration; every problem names its key. */
function validate(r: Registration): void {
  const problems: string[] = [];
  if (typeof r.app !== 'string' || r.app.trim() === '')
    problems.push(`${RegistrationKeys.app}: the app name must not be empty`);
  if (!Number.isInteger(r.port) || r.port < 1 || r.port > 65535)
    problems.push(`${RegistrationKeys.port}: ${r.port} is not a port number 1..65535`);
  if (r.weight !== undefined && (!Number.isInteger(r.weight) || r.weight < 1))
    problems.push(`${RegistrationKeys.weight}: ${r.weight} is not a positive integer`);
  for (const [k, v] of Object.entries(r.labels ?? {}))
    if (typeof v !== 'string') problems.push(`${RegistrationKeys.labels}.${k}: must be a string`);
  (r.services ?? []).forEach((s, i) => {
    const name = typeof s === 'string' ? s : s.typeName;
    if (!/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)+$/.test(name))
      problems.push(
        `${RegistrationKeys.services}[${i}]: ${JSON.stringify(name)} is not a fully qualified service name`,
      );
  });
  if (problems.length > 0)
    throw new RpcError(Code.INVALID_ARGUMENT, `invalid registration: ${problems.join('; ')}`);
}

/** The Node metadata entries that register this instance. */
export function registrationMetadata(r: Registration): JsonObject {
  validate(r);
  const services = (r.services ?? []).map((s) => (typeof s === 'string' ? s : s.typeName));
  return {
    [RegistrationKeys.app]: r.app,
    [RegistrationKeys.port]: r.port,
    ...(services.length > 0 && { [RegistrationKeys.services]: [...new Set(services)] }),
    ...(r.labels && Object.keys(r.labels).length > 0 && { [RegistrationKeys.labels]: { ...r.labels } }),
    ...(r.weight !== undefined && { [RegistrationKeys.weight]: r.weight }),
    ...(r.draining && { [RegistrationKeys.draining]: true }),
    ...(r.namespace !== undefined && { [RegistrationKeys.namespace]: r.namespace }),
    ...(r.instanceIps &&
      r.instanceIps.length > 0 && { [RegistrationKeys.instanceIps]: r.instanceIps.join(',') }),
  };
}

/** The node as it will register, for telemetry's workload labels (app, labels, namespace; no port yet). */
export function registrationLabels(
  node: XdsBootstrap['node'],
  r: Pick<Registration, 'app' | 'labels' | 'namespace'>,
): { id: string; metadata: JsonObject } {
  return {
    id: node.id,
    metadata: {
      ...node.metadata,
      [RegistrationKeys.app]: r.app,
      ...(r.labels && { [RegistrationKeys.labels]: { ...r.labels } }),
      ...(r.namespace !== undefined && { [RegistrationKeys.namespace]: r.namespace }),
    },
  };
}

/**
 * A bootstrap whose Node registers this instance: the registration's metadata merged over the
 * bootstrap's (its keys win), and its locality, when given, replacing the Node's.
 */
export function withRegistration(bootstrap: XdsBootstrap, r: Registration): XdsBootstrap {
  const metadata = { ...bootstrap.node.metadata, ...registrationMetadata(r) };
  const l = r.locality;
  const locality = l
    ? { region: l.region ?? '', zone: l.zone ?? '', subZone: l.subZone ?? '' }
    : bootstrap.node.locality;
  return { ...bootstrap, node: { ...bootstrap.node, metadata, locality } };
}
