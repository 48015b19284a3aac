// Semantic rules of ServiceEntry and WorkloadEntry. The messages that Istio's CRD schema gives
// (CEL rules such as "NONE mode cannot set endpoints") are kept word for word.
// Istio: networking.v1.ServiceEntry, networking.v1.WorkloadEntry; pkg/config/validation
// (ValidateServiceEntry, validateWorkloadEntry) and the CRDs' x-kubernetes-validations.

import type { IssueCollector } from './issues.js';
import { joinPath } from './issues.js';
import type { ServiceEntrySpec, WorkloadEntrySpec } from './networking-types.js';
import {
  checkExportTo,
  checkFQDN,
  checkIPOrCIDR,
  checkLabelMap,
  checkSelectorLabels,
  checkWildcardDomain,
  isDNS1123Label,
  isIPAddress,
} from './rules-common.js';

const PROTOCOLS = new Set([
  'TCP',
  'UDP',
  'GRPC',
  'GRPC-WEB',
  'HTTP',
  'HTTP_PROXY',
  'HTTP2',
  'HTTPS',
  'TLS',
  'MONGO',
  'REDIS',
  'MYSQL',
]);
const HTTP_LIKE = new Set(['HTTP', 'HTTP2', 'GRPC', 'GRPC-WEB', 'HTTP_PROXY', 'HTTPS', 'TLS']);

export function validateServiceEntry(c: IssueCollector, spec: ServiceEntrySpec, namespace: string): void {
  const resolution = spec.resolution ?? 'NONE';
  spec.hosts.forEach((host, i) => {
    const p = joinPath('spec.hosts', i);
    if (host === '*') {
      c.invalid(p, host, 'hostname cannot be wildcard');
      return;
    }
    const problem = checkWildcardDomain(host);
    if (problem) c.invalid(p, host, problem);
    else if (host.includes('*') && !host.startsWith('*.'))
      c.warn(p, `partial wildcard ${JSON.stringify(host)} not allowed`);
  });
  if (spec.hosts.length === 0) c.required('spec.hosts', 'service entry must have at least one host');
  if (spec.workloadSelector !== undefined && spec.endpoints !== undefined) {
    c.error('spec', 'only one of WorkloadSelector or Endpoints can be set');
  }
  if (spec.workloadSelector)
    checkSelectorLabels(c, 'spec.workloadSelector.labels', spec.workloadSelector.labels ?? {});

  let cidr = false;
  spec.addresses?.forEach((a, i) => {
    cidr ||= a.includes('/');
    const problem = checkIPOrCIDR(a);
    if (problem) c.invalid(joinPath('spec.addresses', i), a, problem);
  });
  if (cidr && resolution !== 'NONE' && resolution !== 'STATIC') {
    c.invalid(
      'spec.resolution',
      resolution,
      'CIDR addresses are allowed only for NONE/STATIC resolution types',
    );
  }

  const portNames = new Set<string>();
  const portNumbers = new Set<number>();
  spec.ports?.forEach((port, i) => {
    const p = joinPath('spec.ports', i);
    if (portNames.has(port.name))
      c.duplicate(
        p,
        { name: port.name },
        `service entry port name ${JSON.stringify(port.name)} already defined`,
      );
    if (portNumbers.has(port.number))
      c.invalid(joinPath(p, 'number'), port.number, 'port number cannot be duplicated');
    portNames.add(port.name);
    portNumbers.add(port.number);
    if (!isValidPort(port.number))
      c.invalid(joinPath(p, 'number'), port.number, 'port must be between 1-65535');
    if (port.targetPort !== undefined && !isValidPort(port.targetPort)) {
      c.invalid(joinPath(p, 'targetPort'), port.targetPort, 'port must be between 1-65535');
    }
    if (!isDNS1123Label(port.name))
      c.invalid(joinPath(p, 'name'), port.name, `invalid port name: ${port.name}`);
    if (port.protocol !== undefined && !PROTOCOLS.has(port.protocol.toUpperCase())) {
      c.invalid(joinPath(p, 'protocol'), port.protocol, `unsupported protocol: ${port.protocol}`);
    }
  });

  const endpoints = spec.endpoints ?? [];
  switch (resolution) {
    case 'NONE':
      if (endpoints.length > 0)
        c.invalid('spec.endpoints', endpoints.length, 'NONE mode cannot set endpoints');
      break;
    case 'STATIC':
      endpoints.forEach((e, i) => {
        validateEndpoint(c, joinPath('spec.endpoints', i), e, portNames, false);
      });
      if (endpoints.length === 0 && !spec.workloadSelector) {
        c.warn(
          'spec',
          'STATIC resolution without endpoints or workloadSelector: the service has no endpoints',
        );
      }
      break;
    case 'DNS':
    case 'DNS_ROUND_ROBIN':
      if (endpoints.length === 0) {
        spec.hosts.forEach((host, i) => {
          if (host !== '*' && checkFQDN(host)) {
            c.invalid(
              joinPath('spec.hosts', i),
              host,
              `hosts must be FQDN if no endpoints are provided for resolution mode ${resolution}`,
            );
          }
        });
      }
      if (resolution === 'DNS_ROUND_ROBIN' && endpoints.length > 1) {
        c.invalid('spec.endpoints', endpoints.length, 'DNS_ROUND_ROBIN mode cannot have multiple endpoints');
      }
      endpoints.forEach((e, i) => {
        validateEndpoint(c, joinPath('spec.endpoints', i), e, portNames, true);
      });
      break;
  }
  if (resolution !== 'NONE' && spec.hosts.length > 1) {
    const plain = spec.ports?.find((p) => !HTTP_LIKE.has((p.protocol ?? 'TCP').toUpperCase()));
    if (plain) c.error('spec.ports', 'multiple hosts provided with non-HTTP, non-TLS ports');
  }
  checkExportTo(c, 'spec.exportTo', namespace, spec.exportTo, true);
}

export function validateWorkloadEntry(c: IssueCollector, spec: WorkloadEntrySpec): void {
  if (!spec.address) {
    if (!spec.network) {
      c.required('spec.address', 'address is required');
      return;
    }
    c.warn('spec.address', `address is unset with network ${JSON.stringify(spec.network)}`);
  }
  validateEndpoint(c, 'spec', spec, undefined, true);
}

function isValidPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

/** One workload: an IP, a unix socket, or (for DNS resolution and standalone WorkloadEntries) a host name. */
function validateEndpoint(
  c: IssueCollector,
  path: string,
  e: WorkloadEntrySpec,
  servicePorts: Set<string> | undefined,
  allowFQDN: boolean,
): void {
  const addr = e.address ?? '';
  const ap = joinPath(path, 'address');
  if (addr.startsWith('unix://')) {
    const sock = addr.slice('unix://'.length);
    if (sock === '') c.invalid(ap, addr, 'unix address must not be empty');
    else if (!sock.startsWith('@') && (!sock.startsWith('/') || sock.endsWith('/'))) {
      c.invalid(ap, addr, `${sock} is not an absolute path to a file`);
    }
    if (e.ports && Object.keys(e.ports).length > 0)
      c.invalid(joinPath(path, 'ports'), e.ports, `unix endpoint ${addr} must not include ports`);
  } else if (addr !== '' && !isIPAddress(addr)) {
    if (!allowFQDN) c.invalid(ap, addr, `endpoint address ${JSON.stringify(addr)} is not a valid IP address`);
    else if (checkFQDN(addr))
      c.invalid(ap, addr, `endpoint address ${JSON.stringify(addr)} is not a valid FQDN or an IP address`);
  }
  for (const [name, port] of Object.entries(e.ports ?? {})) {
    const pp = joinPath(joinPath(path, 'ports'), name);
    if (servicePorts && !servicePorts.has(name))
      c.invalid(pp, port, `endpoint port ${name} is not defined by the service entry`);
    if (!isDNS1123Label(name)) c.invalid(pp, name, `invalid port name: ${name}`);
    if (!isValidPort(port)) c.invalid(pp, port, 'port must be between 1-65535');
  }
  checkLabelMap(c, joinPath(path, 'labels'), e.labels);
  if (e.locality !== undefined) {
    const parts = e.locality.split('/');
    if (parts.length > 3 || parts.some((p) => p === '' || p.includes('*'))) {
      c.invalid(
        joinPath(path, 'locality'),
        e.locality,
        'locality must be region[/zone[/subzone]] with no empty parts or wildcards',
      );
    }
  }
}
