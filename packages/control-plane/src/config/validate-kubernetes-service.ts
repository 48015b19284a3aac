// The few rules Shoal needs on a Kubernetes Service, which it reads only for hosts and ports.
// Kubernetes: core/v1 Service (ServicePort name, port, targetPort).

import type { KubernetesServiceSpec } from './config-object.js';
import type { IssueCollector } from './issues.js';
import { joinPath } from './issues.js';
import { checkLabelMap, checkPortNumber, isDNS1123Label } from './rules-common.js';

export function validateKubernetesService(c: IssueCollector, spec: KubernetesServiceSpec): void {
  const names = new Set<string>();
  const ports = spec.ports ?? [];
  ports.forEach((port, i) => {
    const p = joinPath('spec.ports', i);
    checkPortNumber(c, joinPath(p, 'port'), port.port);
    if (typeof port.targetPort === 'number') checkPortNumber(c, joinPath(p, 'targetPort'), port.targetPort);
    if (port.name !== undefined) {
      if (!isDNS1123Label(port.name))
        c.invalid(joinPath(p, 'name'), port.name, `invalid port name: ${port.name}`);
      if (names.has(port.name)) c.duplicate(joinPath(p, 'name'), port.name);
      names.add(port.name);
    } else if (ports.length > 1)
      c.required(joinPath(p, 'name'), 'port names are required when a Service has more than one port');
  });
  checkLabelMap(c, 'spec.selector', spec.selector);
}
