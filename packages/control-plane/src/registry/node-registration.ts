// Self-registration, the control plane's side: reads the Registration a process announces in its
// xDS Node (the keys and locality of @shoal/xds's contract, which the mesh writes with) into a
// registry entry, with an error per problem naming its key; see packages/control-plane/REGISTRATION.md.
// Istio's own keys (NAMESPACE, INSTANCE_IPS, LABELS, SERVICE_ACCOUNT) are read too, so istiod-style
// metadata works.
// Istio: pkg/model NodeMetadata; Envoy: config.core.v3.Node (id, metadata, locality).

import { isIP } from 'node:net';
import { formatLocality, RegistrationKeys, type XdsLocality } from '@shoal/xds';
import { DEFAULT_NAMESPACE } from '../config/config-object.js';
import { DEFAULT_DOMAIN_SUFFIX, resolveShortName } from '../config/hostnames.js';
import { checkFQDN, isDNS1123Label, isLabelKey } from '../config/rules-common.js';
import type { RegisteredInstance } from './registry-types.js';

/** The parts of an xDS Node (as decoded JSON) that registration reads. */
export interface NodeInfo {
  id: string;
  cluster?: string;
  metadata?: Record<string, unknown>;
  /** Envoy's core.v3.Locality in proto3 JSON: `subZone`, or the proto field name `sub_zone`. */
  locality?: Partial<XdsLocality> & { sub_zone?: string };
}

export interface NodeRegistrationOptions {
  /** The address the ADS stream came from, used when the node announces no INSTANCE_IPS. */
  peerAddress?: string;
  domainSuffix?: string;
}

export interface NodeRegistrationResult {
  /** Absent when the node announces nothing to register (a pure client) or has errors. */
  registration?: RegisteredInstance;
  /** One line per problem, naming the metadata key. */
  errors: string[];
}

const INTERFACE_NAME = /^[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*)*$/;
const ISTIO_ID = /^(?:sidecar|router)~([^~]*)~([^~]*)~([^~]*)$/;

/** Whether a node's metadata announces anything to register (a pure client announces nothing). */
export function announcesRegistration(metadata: Record<string, unknown> | undefined): boolean {
  const K = RegistrationKeys;
  return (
    metadata !== undefined &&
    (metadata[K.app] !== undefined || metadata[K.services] !== undefined || metadata[K.port] !== undefined)
  );
}

export function parseNodeRegistration(
  node: NodeInfo,
  options: NodeRegistrationOptions = {},
): NodeRegistrationResult {
  const md = node.metadata ?? {};
  const K = RegistrationKeys;
  const errors: string[] = [];
  if (!announcesRegistration(md)) return { errors };
  const bad = (key: string, value: unknown, why: string) =>
    errors.push(`node metadata ${key}: Invalid value: ${JSON.stringify(value)}: ${why}`);
  if (!node.id) errors.push('node id: Required value: a registering node needs an id');

  const istioId = ISTIO_ID.exec(node.id ?? '');
  const namespaceRaw = md[K.namespace] ?? istioId?.[2]?.split('.')[1];
  let namespace = DEFAULT_NAMESPACE;
  if (namespaceRaw !== undefined) {
    if (typeof namespaceRaw === 'string' && isDNS1123Label(namespaceRaw)) namespace = namespaceRaw;
    else bad(K.namespace, namespaceRaw, 'must be a namespace name (a DNS-1123 label)');
  }

  const labels: Record<string, string> = {};
  readLabels(md[K.istioLabels], K.istioLabels, labels, bad);
  readLabels(md[K.labels], K.labels, labels, bad);

  const appRaw =
    md[K.app] ?? labels.app ?? labels['app.kubernetes.io/name'] ?? labels['service.istio.io/canonical-name'];
  let app = '';
  if (appRaw === undefined)
    errors.push(`node metadata ${K.app}: Required value: the application (host) name`);
  else if (typeof appRaw !== 'string' || checkFQDN(appRaw))
    bad(K.app, appRaw, 'must be a DNS name such as "greeter" or "greeter.example.com"');
  else app = appRaw.toLowerCase();

  const portRaw = md[K.port];
  let port = 0;
  if (portRaw === undefined)
    errors.push(`node metadata ${K.port}: Required value: the port the instance serves on`);
  else {
    const n =
      typeof portRaw === 'number'
        ? portRaw
        : typeof portRaw === 'string' && /^\d+$/.test(portRaw)
          ? Number(portRaw)
          : Number.NaN;
    if (!Number.isInteger(n) || n < 1 || n > 65535) bad(K.port, portRaw, 'must be a port number 1..65535');
    else port = n;
  }

  const interfaces: string[] = [];
  const servicesRaw = md[K.services];
  if (servicesRaw !== undefined) {
    const list =
      typeof servicesRaw === 'string'
        ? servicesRaw
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s)
        : servicesRaw;
    if (!Array.isArray(list))
      bad(K.services, servicesRaw, 'must be a list of interface names or a comma-separated string');
    else {
      for (const name of list) {
        if (typeof name !== 'string' || !INTERFACE_NAME.test(name))
          bad(K.services, name, 'must be an interface name such as "greet.v1.GreeterService"');
        else if (!interfaces.includes(name)) interfaces.push(name);
      }
    }
  }

  let weight = 1;
  const weightRaw = md[K.weight];
  if (weightRaw !== undefined) {
    const n = typeof weightRaw === 'string' && /^\d+$/.test(weightRaw) ? Number(weightRaw) : weightRaw;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1)
      bad(K.weight, weightRaw, 'must be a positive integer');
    else weight = n;
  }

  let address = '';
  const ipsRaw = md[K.instanceIps];
  if (ipsRaw !== undefined) {
    const ips =
      typeof ipsRaw === 'string'
        ? ipsRaw
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s)
        : [];
    const first = ips.find((ip) => isIP(ip) !== 0);
    if (!first) bad(K.instanceIps, ipsRaw, 'must be a comma-separated list of IP addresses');
    else address = first;
  } else if (istioId?.[1] && isIP(istioId[1]) !== 0) address = istioId[1];
  else if (options.peerAddress && isIP(options.peerAddress) !== 0) address = options.peerAddress;
  else
    errors.push(
      `node metadata ${K.instanceIps}: Required value: no instance IP announced and no peer address known`,
    );

  const drainingRaw = md[K.draining];
  let draining = false;
  if (drainingRaw !== undefined) {
    if (drainingRaw === true || drainingRaw === 'true') draining = true;
    else if (drainingRaw !== false && drainingRaw !== 'false')
      bad(K.draining, drainingRaw, 'must be true or false');
  }

  const serviceAccount = md[K.serviceAccount];
  if (serviceAccount !== undefined && typeof serviceAccount !== 'string')
    bad(K.serviceAccount, serviceAccount, 'must be a string');

  const loc = node.locality;
  const locality =
    formatLocality({ region: loc?.region, zone: loc?.zone, subZone: loc?.subZone ?? loc?.sub_zone }) ??
    formatLocality({
      region: labels['topology.kubernetes.io/region'],
      zone: labels['topology.kubernetes.io/zone'],
      subZone: labels['topology.istio.io/subzone'],
    });

  if (errors.length > 0) return { errors };
  const registration: RegisteredInstance = {
    nodeId: node.id,
    app,
    namespace,
    hostname: resolveShortName(app, namespace, options.domainSuffix ?? DEFAULT_DOMAIN_SUFFIX),
    address,
    port,
    interfaces,
    labels,
    weight,
    ...(locality ? { locality } : {}),
    ...(typeof serviceAccount === 'string' ? { serviceAccount } : {}),
    ...(draining ? { draining } : {}),
  };
  return { registration, errors };
}

function readLabels(
  raw: unknown,
  key: string,
  into: Record<string, string>,
  bad: (key: string, value: unknown, why: string) => void,
): void {
  if (raw === undefined) return;
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      bad(key, raw, 'must be an object of strings, or that object as JSON');
      return;
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    bad(key, raw, 'must be an object of strings, or that object as JSON');
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') bad(`${key}.${k}`, v, 'label values must be strings');
    else if (!isLabelKey(k)) bad(`${key}.${k}`, k, 'invalid label key');
    else into[k] = v;
  }
}
