// Field rules shared by the Istio kinds: DNS names, wildcard hosts, ports, labels, IPs and CIDRs,
// percentages. Istio: pkg/config/validation/agent (ValidateWildcardDomain, ValidateFQDN, ValidatePort,
// ValidateIPSubnet) and pkg/config/labels (IsDNS1123Label, Instance.Validate).

import { isIP } from 'node:net';
import { checkDuration } from './durations.js';
import type { IssueCollector } from './issues.js';
import { joinPath } from './issues.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const WILDCARD_LABEL = /^(\*|(\*|\*-)?[a-z0-9]([-a-z0-9]*[a-z0-9])?)$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function isDNS1123Label(value: string): boolean {
  return value.length <= 63 && DNS1123_LABEL.test(value);
}

export function isDNS1123Subdomain(value: string): boolean {
  return value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

function checkLabels(domain: string, labels: string[]): string | undefined {
  const top = labels[labels.length - 1] ?? '';
  if (/^\d+$/.test(top))
    return `domain name ${JSON.stringify(domain)} invalid (top level domain ${JSON.stringify(top)} cannot be all-numeric)`;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (i === labels.length - 1 && label === '' && i > 0) return undefined; // `istio.io.`
    if (!isDNS1123Label(label))
      return `domain name ${JSON.stringify(domain)} invalid (label ${JSON.stringify(label)} invalid)`;
  }
  return undefined;
}

function preconditions(domain: string): string | undefined {
  if (domain.length > 255) return `domain name ${JSON.stringify(domain)} too long (max 255)`;
  if (domain.length === 0) return 'empty domain name not allowed';
  return undefined;
}

/** A fully qualified (or short) DNS name without wildcards. */
export function checkFQDN(domain: string): string | undefined {
  return preconditions(domain) ?? checkLabels(domain, domain.split('.'));
}

/** A DNS name whose first label may be a wildcard (`*`, `*.example.com`, `*foo.example.com`). */
export function checkWildcardDomain(domain: string): string | undefined {
  const pre = preconditions(domain);
  if (pre) return pre;
  const dot = domain.indexOf('.');
  const first = dot < 0 ? domain : domain.slice(0, dot);
  if (first.length > 63 || !WILDCARD_LABEL.test(first)) {
    return `domain name ${JSON.stringify(domain)} invalid (label ${JSON.stringify(first)} invalid)`;
  }
  return dot < 0 ? undefined : checkLabels(domain, domain.slice(dot + 1).split('.'));
}

export function isIPAddress(value: string): boolean {
  return isIP(value) !== 0;
}

/** An IP address or a CIDR block (`10.0.0.0/8`, `2001:db8::/32`). */
export function checkIPOrCIDR(value: string): string | undefined {
  const slash = value.indexOf('/');
  if (slash < 0) return isIPAddress(value) ? undefined : `${value} is not a valid IP`;
  const ip = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  const family = isIP(ip);
  const max = family === 4 ? 32 : 128;
  if (family === 0 || !/^\d{1,3}$/.test(bits) || Number(bits) > max)
    return `${value} is not a valid CIDR block`;
  return undefined;
}

export function checkPortNumber(c: IssueCollector, path: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    c.invalid(path, port, `port number ${port} must be in the range 1..65535`);
  }
}

export function checkDurationField(c: IssueCollector, path: string, value: string | undefined): void {
  if (value === undefined) return;
  const problem = checkDuration(value);
  if (problem) c.invalid(path, value, problem);
}

/** Kubernetes label keys (`prefix/name`) and values (Istio: labels.Instance.Validate). */
export function checkLabelMap(
  c: IssueCollector,
  path: string,
  labels: Record<string, string> | undefined,
): void {
  if (!labels) return;
  for (const [key, value] of Object.entries(labels)) {
    const keyPath = joinPath(path, key);
    if (!isLabelKey(key)) c.invalid(keyPath, key, `invalid label key ${JSON.stringify(key)}`);
    if (value.length > 63 || !LABEL_VALUE.test(value)) {
      c.invalid(keyPath, value, `invalid label value ${JSON.stringify(value)}`);
    }
  }
}

export function isLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (slash >= 0 && !isDNS1123Subdomain(key.slice(0, slash))) return false;
  return name.length > 0 && name.length <= 63 && LABEL_NAME.test(name);
}

/** Istio's fractional percentage: 0, or within [0.0001, 100]. */
export function checkPercent(c: IssueCollector, path: string, value: number | undefined): void {
  if (value === undefined) return;
  if (value < 0 || value > 100 || (value > 0 && value < 0.0001)) {
    c.invalid(path, value, `percentage ${value} is neither 0.0, nor in range [0.0001, 100.0]`);
  }
}

export function checkIntPercent(c: IssueCollector, path: string, value: number | undefined): void {
  if (value === undefined) return;
  if (value < 0 || value > 100) c.invalid(path, value, `percentage ${value} is not in range 0..100`);
}

/** exportTo: `.`, `*`, `~` (ServiceEntry only) or namespace names; no duplicates; `*` alone. */
export function checkExportTo(
  c: IssueCollector,
  path: string,
  namespace: string,
  exportTo: string[] | undefined,
  allowNone: boolean,
): void {
  if (!exportTo || exportTo.length === 0) return;
  const seen = new Set<string>();
  exportTo.forEach((entry, i) => {
    const p = joinPath(path, i);
    const key = entry === '.' ? namespace : entry;
    if (seen.has(key)) c.duplicate(p, entry, 'duplicate entries in exportTo');
    seen.add(key);
    if (entry === '~' && !allowNone)
      c.invalid(p, entry, '~ (export to no one) is only allowed on ServiceEntry');
    else if (entry !== '.' && entry !== '*' && entry !== '~' && !isDNS1123Label(entry)) {
      c.invalid(p, entry, 'exportTo must be ".", "*" or a namespace name');
    }
  });
  if (seen.has('*') && exportTo.length > 1) {
    c.invalid(path, exportTo, 'cannot have both public (*) and non-public exportTo values for a resource');
  }
  if (seen.has('~') && exportTo.length > 1) {
    c.invalid(path, exportTo, 'cannot export service entry to no one (~) and someone');
  }
}

/** Workload selector labels: no empty keys, no wildcards (Istio: ValidateAlphaWorkloadSelector). */
export function checkSelectorLabels(
  c: IssueCollector,
  path: string,
  labels: Record<string, string> | undefined,
): void {
  if (!labels) return;
  for (const [key, value] of Object.entries(labels)) {
    const p = joinPath(path, key);
    if (key === '') c.invalid(p, key, `empty key is not supported in selector: "${key}=${value}"`);
    else if (key.includes('*') || value.includes('*')) {
      c.invalid(p, value, `wildcard is not supported in selector: "${key}=${value}"`);
    } else checkLabelMap(c, path, { [key]: value });
  }
  if (Object.keys(labels).length === 0) c.warn(path, 'workload selector specified without labels');
}
