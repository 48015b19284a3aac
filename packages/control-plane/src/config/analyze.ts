// Cross-object checks, like `istioctl analyze`: a route to a subset that no DestinationRule for
// that host defines is an error (IST0101 ReferencedResourceNotFound for host+subset); a host no
// service is known for is a warning (normal before workloads start); two VirtualServices or two
// DestinationRules for one host are warnings (IST0109 / IST0174-like conflicts); a Dubbo rule that
// an Istio rule on the same service overrides is a warning.
// Used by `shoal validate -f FILE` through `validateConfig`, offline or together with a running
// control plane's config (`analyzeWithLive`), as istioctl analyze reads a cluster's.

import { analyzeDubbo } from '../dubbo/analyze-dubbo.js';
import type { AnyConfigObject, ConfigObject } from './config-object.js';
import { objectKey } from './config-object.js';
import { DEFAULT_DOMAIN_SUFFIX, hostMatches, kubernetesServiceHost, resolveShortName } from './hostnames.js';
import type { ConfigIssue } from './issues.js';
import { joinPath } from './issues.js';
import { type LoadedConfig, type LoadOptions, loadConfigText } from './load-config.js';
import type { Destination } from './networking-types.js';

/** What analyzeConfig may know beyond the objects themselves. */
export interface AnalyzeOptions {
  /** Hosts known from elsewhere (the registry, other config) that count as services. */
  knownHosts?: Iterable<string>;
  /** Interface → the hosts serving it (the registry's), to find the service of a Dubbo rule. */
  interfaceHosts?: ReadonlyMap<string, readonly string[]>;
  domainSuffix?: string;
}

/**
 * What analyzeConfig found: errors (config that cannot work) and warnings (config that may not do what was
 * meant), each with its object and field path.
 */
export interface AnalysisResult {
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

/**
 * Checks valid objects against each other, as `istioctl analyze` does: references to subsets and hosts
 * that nothing defines, two VirtualServices or DestinationRules for one host, Dubbo rules that an Istio
 * rule overrides.
 */
export function analyzeConfig(
  objects: readonly AnyConfigObject[],
  options: AnalyzeOptions = {},
): AnalysisResult {
  const suffix = options.domainSuffix ?? DEFAULT_DOMAIN_SUFFIX;
  const out: AnalysisResult = { errors: [], warnings: [] };
  const docName = (o: AnyConfigObject) => objectKey(o.kind, o.metadata.namespace, o.metadata.name);

  const serviceHosts: string[] = [...(options.knownHosts ?? [])];
  const destinationRules: { host: string; rule: ConfigObject<'DestinationRule'> }[] = [];
  const virtualServices: ConfigObject<'VirtualService'>[] = [];
  for (const o of objects) {
    if (o.kind === 'ServiceEntry') serviceHosts.push(...o.spec.hosts);
    else if (o.kind === 'Service')
      serviceHosts.push(kubernetesServiceHost(o.metadata.name, o.metadata.namespace, suffix));
    else if (o.kind === 'DestinationRule') {
      destinationRules.push({ host: resolveShortName(o.spec.host, o.metadata.namespace, suffix), rule: o });
    } else if (o.kind === 'VirtualService') virtualServices.push(o);
  }
  const hasService = (host: string) => serviceHosts.some((s) => hostMatches(s, host) || hostMatches(host, s));
  const warnedHosts = new Set<string>();
  const warnUnknownHost = (o: AnyConfigObject, path: string, written: string, fqdn: string) => {
    if (hasService(fqdn) || warnedHosts.has(`${docName(o)} ${fqdn}`)) return;
    warnedHosts.add(`${docName(o)} ${fqdn}`);
    const shown = written === fqdn ? `"${written}"` : `"${written}" (${fqdn})`;
    out.warnings.push({
      severity: 'warning',
      document: docName(o),
      path,
      message: `Referenced host not found: ${shown} has no ServiceEntry, Kubernetes Service or registered instance yet`,
    });
  };

  for (const { host, rule } of destinationRules) {
    warnUnknownHost(rule, 'spec.host', rule.spec.host, host);
    const first = destinationRules.find((d) => d.host === host);
    if (first && first.rule !== rule) {
      out.warnings.push({
        severity: 'warning',
        document: docName(rule),
        path: 'spec.host',
        message: `multiple DestinationRules for host ${host} (also ${docName(first.rule)}); only the first one applies`,
      });
    }
  }

  const vsByHost = new Map<string, AnyConfigObject>();
  for (const vs of virtualServices) {
    const ns = vs.metadata.namespace;
    (vs.spec.hosts ?? []).forEach((h, i) => {
      const fqdn = resolveShortName(h, ns, suffix);
      const prior = vsByHost.get(fqdn);
      if (prior) {
        out.warnings.push({
          severity: 'warning',
          document: docName(vs),
          path: joinPath('spec.hosts', i),
          message: `host ${fqdn} is also routed by ${docName(prior)}; the two VirtualServices conflict`,
        });
      } else vsByHost.set(fqdn, vs);
    });
    const checkDest = (path: string, d: Destination | undefined) => {
      if (!d) return;
      const fqdn = resolveShortName(d.host, ns, suffix);
      warnUnknownHost(vs, joinPath(path, 'host'), d.host, fqdn);
      if (d.subset === undefined) return;
      const rules = destinationRules.filter((r) => hostMatches(r.host, fqdn));
      const defined = rules.some((r) => r.rule.spec.subsets?.some((s) => s.name === d.subset));
      if (defined) return;
      const why =
        rules.length === 0
          ? `no DestinationRule for host ${fqdn}`
          : `DestinationRule ${docName(rules[0]!.rule)} for host ${fqdn} defines ${
              rules[0]!.rule.spec.subsets?.map((s) => s.name).join(', ') || 'no subsets'
            }`;
      out.errors.push({
        severity: 'error',
        document: docName(vs),
        path: joinPath(path, 'subset'),
        message: `Referenced host+subset in destinationrule not found: "${d.host}+${d.subset}" (${why})`,
      });
    };
    vs.spec.http?.forEach((r, i) => {
      const p = joinPath('spec.http', i);
      if (r.delegate?.name) checkDelegate(vs, joinPath(p, 'delegate'), r.delegate.name, r.delegate.namespace);
      r.route?.forEach((d, j) => {
        checkDest(joinPath(joinPath(joinPath(p, 'route'), j), 'destination'), d.destination);
      });
      checkDest(joinPath(p, 'mirror'), r.mirror);
      r.mirrors?.forEach((m, j) => {
        checkDest(joinPath(joinPath(joinPath(p, 'mirrors'), j), 'destination'), m.destination);
      });
    });
    for (const field of ['tcp', 'tls'] as const) {
      vs.spec[field]?.forEach((r, i) => {
        r.route?.forEach((d, j) => {
          checkDest(
            joinPath(joinPath(joinPath(joinPath(`spec.${field}`, i), 'route'), j), 'destination'),
            d.destination,
          );
        });
      });
    }
  }
  /** Istio: the delegate must exist and have no hosts, or the root route matches nothing. */
  function checkDelegate(vs: ConfigObject<'VirtualService'>, path: string, name: string, namespace?: string) {
    const ns = namespace || vs.metadata.namespace;
    const target = virtualServices.find((o) => o.metadata.name === name && o.metadata.namespace === ns);
    const why = !target
      ? `delegate VirtualService ${ns}/${name} not found`
      : target.spec.hosts?.length
        ? `VirtualService ${ns}/${name} has hosts, so it cannot be a delegate`
        : undefined;
    if (why)
      out.warnings.push({
        severity: 'warning',
        document: docName(vs),
        path,
        message: `${why}: this route gives no routes until it is`,
      });
  }
  // Dubbo's rules next to Istio's: which one wins (dubbo/analyze-dubbo.ts).
  out.warnings.push(
    ...analyzeDubbo(objects, {
      domainSuffix: suffix,
      ...(options.interfaceHosts ? { interfaceHosts: options.interfaceHosts } : {}),
    }),
  );
  return out;
}

/**
 * Analysis of new objects together with the config already live (a running control plane's), as
 * `istioctl analyze -f FILE` does against a cluster: each new object replaces the live one with
 * the same key. The issues are those of the new objects, and those the new objects cause in live
 * ones; what was already wrong in the live config alone is not repeated.
 */
export function analyzeWithLive(
  objects: readonly AnyConfigObject[],
  live: readonly AnyConfigObject[],
  options: AnalyzeOptions = {},
): AnalysisResult {
  const key = (o: AnyConfigObject) => objectKey(o.kind, o.metadata.namespace, o.metadata.name);
  const added = new Set(objects.map(key));
  const merged = [...live.filter((o) => !added.has(key(o))), ...objects];
  const issueKey = (i: ConfigIssue) => `${i.document}\u0000${i.path}\u0000${i.message}`;
  const before = analyzeConfig(live, options);
  const existing = new Set([...before.errors, ...before.warnings].map(issueKey));
  const relevant = (i: ConfigIssue) => added.has(i.document) || !existing.has(issueKey(i));
  const after = analyzeConfig(merged, options);
  return { errors: after.errors.filter(relevant), warnings: after.warnings.filter(relevant) };
}

/**
 * What validateConfig found: the valid objects, the skipped documents and every issue with its field path.
 */
export interface ValidationReport extends LoadedConfig {}

/**
 * Validation of a file, like `istioctl analyze`: every document's own errors, then the
 * cross-object errors and warnings among the documents of the file (and `knownHosts`), together
 * with `live` config when given.
 */
export function validateConfig(
  text: string,
  options: LoadOptions & AnalyzeOptions & { live?: readonly AnyConfigObject[] } = {},
): ValidationReport {
  const loaded = loadConfigText(text, options);
  const analysis = options.live
    ? analyzeWithLive(loaded.objects, options.live, options)
    : analyzeConfig(loaded.objects, options);
  const src = options.source ? { source: options.source } : {};
  return {
    ...loaded,
    errors: [...loaded.errors, ...analysis.errors.map((i) => ({ ...i, ...src }))],
    warnings: [...loaded.warnings, ...analysis.warnings.map((i) => ({ ...i, ...src }))],
  };
}
