// Self-registration over the ADS stream (REGISTRATION.md): a client that announces its service in
// its node metadata is registered for as long as its stream lives, so the live stream is the
// instance's lease (Istio: WorkloadGroup auto-registration). Under mutual TLS the registration
// must come from the identity it registers (registration-identity.ts).

import type { X509Certificate } from 'node:crypto';
import { parseLocality } from '@shoal/xds';
import { spiffeIdentityOf } from '../ca/xds-port-tls.js';
import type { ConfigStore } from '../config/config-store.js';
import { mtlsModeFor } from '../translate/peer-authentication.js';
import type { ProxyNode } from '../xds-server/proxy-node.js';
import { announcesRegistration, parseNodeRegistration } from './node-registration.js';
import { checkRegistrationIdentity } from './registration-identity.js';
import type { RegistrationLease, Registry } from './registry-types.js';

export interface StreamRegistrationOptions {
  /** PeerAuthentication is read here: a workload under STRICT registers only over mutual TLS. */
  store: ConfigStore;
  registry: Registry;
  /** The CA's trust domain, once it runs (default `cluster.local`). */
  trustDomain: () => string | undefined;
  /** Every registration must come over mutual TLS with the workload's own identity. */
  requireIdentity: boolean;
  log: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

/**
 * Registers the node of a new ADS stream, if it announces a service; returns what ends the lease
 * when the stream ends. Throws (the stream is refused) when the identity does not allow it.
 */
export function registerStream(
  options: StreamRegistrationOptions,
  node: ProxyNode,
  peer: string,
  cert: X509Certificate | undefined,
): (() => void) | undefined {
  const { registry, log } = options;
  // Most streams are pure clients: nothing to parse, and no need of the peer's address (a syscall).
  if (!announcesRegistration(node.metadata)) return undefined;
  const result = parseNodeRegistration(
    { id: node.id, metadata: node.metadata, locality: parseLocality(node.locality) },
    { peerAddress: peerIp(peer) },
  );
  if (result.errors.length > 0)
    log('warn', 'node registration rejected', { node: node.id, errors: result.errors });
  if (!result.registration) return undefined;
  const announced = result.registration;
  const strict =
    mtlsModeFor(
      options.store.list('PeerAuthentication'),
      announced.namespace,
      announced.labels,
      announced.port,
    ) === 'STRICT';
  let registration: typeof announced;
  try {
    registration = checkRegistrationIdentity(
      announced,
      cert && spiffeIdentityOf(cert),
      options.trustDomain() ?? 'cluster.local',
      options.requireIdentity
        ? 'this control plane requires registrations over mutual TLS'
        : strict
          ? 'PeerAuthentication STRICT applies to the workload, so it registers only over mutual TLS'
          : undefined,
      new Set(
        registry
          .endpoints(announced.hostname)
          .filter((e) => e.origin !== `node:${node.id}` && e.serviceAccount !== undefined)
          .map((e) => e.serviceAccount!),
      ),
    );
  } catch (err) {
    log('warn', 'node registration refused', { node: node.id, error: (err as Error).message });
    throw err;
  }
  let ended = false;
  let lease: RegistrationLease | undefined;
  registry.register(registration).then(
    (l) => {
      if (ended) l.end();
      else lease = l;
      log('info', 'instance registered', {
        node: node.id,
        host: registration.hostname,
        port: registration.port,
      });
    },
    (err) => log('error', 'registration failed', { node: node.id, error: String(err) }),
  );
  return () => {
    ended = true;
    lease?.end();
  };
}

/** `1.2.3.4:5678`, `::ffff:1.2.3.4:5678` or `[::1]:5678` → the IP. */
function peerIp(peer: string): string {
  const host = peer.startsWith('[') ? peer.slice(1, peer.indexOf(']')) : peer.slice(0, peer.lastIndexOf(':'));
  return host.startsWith('::ffff:') ? host.slice(7) : host;
}
