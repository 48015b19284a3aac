// Semantic rules of PeerAuthentication and AuthorizationPolicy. Shoal stores and serves them;
// the rules check what users get wrong. Istio: security.v1.PeerAuthentication,
// security.v1.AuthorizationPolicy; pkg/config/validation (ValidatePeerAuthentication,
// ValidateAuthorizationPolicy) and pkg/config/security (ValidateIPs, ValidatePorts, CheckEmptyValues).

import type { IssueCollector } from './issues.js';
import { joinPath } from './issues.js';
import { checkIPOrCIDR, checkSelectorLabels } from './rules-common.js';
import type { AuthorizationPolicySpec, PeerAuthenticationSpec } from './security-types.js';

export function validatePeerAuthentication(c: IssueCollector, spec: PeerAuthenticationSpec): void {
  const emptySelector = !spec.selector || Object.keys(spec.selector.matchLabels ?? {}).length === 0;
  if (spec.portLevelMtls !== undefined) {
    const ports = Object.keys(spec.portLevelMtls);
    if (emptySelector)
      c.error('spec.portLevelMtls', 'mesh/namespace peer authentication cannot have port level mTLS');
    if (ports.length === 0)
      c.error('spec.portLevelMtls', 'port level mTLS, if defined, must have at least one element');
    for (const port of ports) {
      const n = Number(port);
      if (!/^\d+$/.test(port) || n < 1 || n > 65535)
        c.invalid(joinPath('spec.portLevelMtls', port), port, 'port must be in range 1..65535');
    }
  }
  if (spec.selector) checkSelectorLabels(c, 'spec.selector.matchLabels', spec.selector.matchLabels ?? {});
}

const IP_KEYS = new Set(['source.ip', 'remote.ip', 'destination.ip']);

export function validateAuthorizationPolicy(c: IssueCollector, spec: AuthorizationPolicySpec): void {
  const selectors = [
    spec.selector,
    spec.targetRef,
    spec.targetRefs?.length ? spec.targetRefs : undefined,
  ].filter((s) => s);
  if (selectors.length > 1) c.error('spec', 'only one of targetRefs or workloadSelector can be set');
  if (spec.selector) checkSelectorLabels(c, 'spec.selector.matchLabels', spec.selector.matchLabels ?? {});
  const action = spec.action ?? 'ALLOW';
  if (action === 'CUSTOM' && spec.rules === undefined) {
    c.error('spec.rules', 'CUSTOM action without `rules` is meaningless as it will never be triggered');
  }
  if (action === 'CUSTOM' && spec.rules !== undefined && !spec.provider?.name)
    c.required('spec.provider.name', '`provider.name` must not be empty');
  if (spec.provider && action !== 'CUSTOM')
    c.invalid(
      'spec.provider',
      spec.provider,
      `\`provider\` must not be with non CUSTOM action, found ${action}`,
    );
  if (action === 'DENY' && spec.rules === undefined) {
    c.error(
      'spec.rules',
      'DENY action without `rules` is meaningless as it will never be triggered, add an empty rule `{}` if you want it be triggered for every request',
    );
  }
  spec.rules?.forEach((rule, i) => {
    const rp = joinPath('spec.rules', i);
    if (rule.from !== undefined && rule.from.length === 0)
      c.error(joinPath(rp, 'from'), '`from` must not be empty');
    rule.from?.forEach((from, j) => {
      const fp = joinPath(joinPath(rp, 'from'), j);
      if (!from.source) {
        c.required(joinPath(fp, 'source'));
        return;
      }
      const entries = Object.entries(from.source);
      if (entries.every(([, v]) => !v || v.length === 0))
        c.error(joinPath(fp, 'source'), '`from.source` must not be empty');
      for (const [field, values] of entries) {
        const vp = joinPath(joinPath(fp, 'source'), field);
        checkNoEmpty(c, vp, values ?? []);
        if (/ipblocks/i.test(field)) checkIPs(c, vp, values ?? []);
      }
    });
    if (rule.to !== undefined && rule.to.length === 0) c.error(joinPath(rp, 'to'), '`to` must not be empty');
    rule.to?.forEach((to, j) => {
      const tp = joinPath(joinPath(rp, 'to'), j);
      if (!to.operation) {
        c.required(joinPath(tp, 'operation'));
        return;
      }
      const entries = Object.entries(to.operation);
      if (entries.every(([, v]) => !v || v.length === 0))
        c.error(joinPath(tp, 'operation'), '`to.operation` must not be empty');
      for (const [field, values] of entries) {
        const vp = joinPath(joinPath(tp, 'operation'), field);
        checkNoEmpty(c, vp, values ?? []);
        if (field === 'ports' || field === 'notPorts') {
          (values ?? ([] as string[])).forEach((port: string, k: number) => {
            if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
              c.invalid(joinPath(vp, k), port, `invalid port: ${port}`);
            }
          });
        }
      }
    });
    rule.when?.forEach((cond, j) => {
      const wp = joinPath(joinPath(rp, 'when'), j);
      if (cond.key === '') {
        c.required(joinPath(wp, 'key'), '`key` must not be empty');
        return;
      }
      if (!cond.values?.length && !cond.notValues?.length) {
        c.required(
          joinPath(wp, 'values'),
          `at least one of \`values\` or \`notValues\` must be set for key ${cond.key}`,
        );
      }
      if (IP_KEYS.has(cond.key)) {
        checkIPs(c, joinPath(wp, 'values'), cond.values ?? []);
        checkIPs(c, joinPath(wp, 'notValues'), cond.notValues ?? []);
      }
      if (cond.key === 'destination.port') {
        for (const v of [...(cond.values ?? []), ...(cond.notValues ?? [])]) {
          if (!/^\d+$/.test(v) || Number(v) > 65535)
            c.invalid(joinPath(wp, 'values'), v, `invalid port: ${v}`);
        }
      }
    });
  });
}

function checkNoEmpty(c: IssueCollector, path: string, values: string[]): void {
  values.forEach((v, i) => {
    if (v === '') c.invalid(joinPath(path, i), v, 'empty value not allowed');
  });
}

function checkIPs(c: IssueCollector, path: string, values: string[]): void {
  values.forEach((v, i) => {
    const problem = checkIPOrCIDR(v);
    if (problem) c.invalid(joinPath(path, i), v, problem);
  });
}
