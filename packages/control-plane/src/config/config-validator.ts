// Turns one decoded document into a typed ConfigObject or a list of issues: the Kubernetes envelope
// and the kind's shape are checked with JSON Schema (ajv), then the kind's semantic rules run.
// Istio: the validating webhook (pkg/config/validation) behind `kubectl apply` and `istioctl validate`.

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { isDubboRuleKind, recognizeDubboDocument } from '../dubbo/dubbo-documents.js';
import type { DubboVirtualServiceSpec } from '../dubbo/rule-types.js';
import { validateDubboVirtualService } from '../dubbo/validate-dubbo-mesh.js';
import { validateDubboRule } from '../dubbo/validate-dubbo-rules.js';
import {
  type AnyConfigObject,
  type ConfigKind,
  DEFAULT_NAMESPACE,
  isConfigKind,
  KIND_VERSIONS,
  objectKey,
} from './config-object.js';
import { type ConfigIssue, IssueCollector, joinPath, showValue } from './issues.js';
import { checkIstioKind } from './istio-kinds.js';
import { definitionsSchema, documentSchema } from './istio-schemas.js';
import type {
  DestinationRuleSpec,
  ServiceEntrySpec,
  VirtualServiceSpec,
  WorkloadEntrySpec,
} from './networking-types.js';
import { isDNS1123Label, isDNS1123Subdomain } from './rules-common.js';
import type { AuthorizationPolicySpec, PeerAuthenticationSpec } from './security-types.js';
import { validateDestinationRule } from './validate-destination-rule.js';
import { validateKubernetesService } from './validate-kubernetes-service.js';
import { validateAuthorizationPolicy, validatePeerAuthentication } from './validate-security.js';
import { validateServiceEntry, validateWorkloadEntry } from './validate-service-entry.js';
import { validateVirtualService } from './validate-virtual-service.js';

/** Where a document came from, for error messages. */
export interface DocumentOrigin {
  /** 0-based position of the document in its source. */
  index: number;
  source?: string;
  line?: number;
}

/** A document of a kind Shoal does not use (Deployment, ServiceAccount, Gateway, ...). */
export interface SkippedDocument {
  apiVersion: string;
  kind: string;
  name?: string;
  namespace?: string;
  reason: string;
}

export interface ValidatedDocument {
  object?: AnyConfigObject;
  skipped?: SkippedDocument;
  /** Errors and warnings; the document is rejected when any has severity `error`. */
  issues: ConfigIssue[];
}

export class ConfigValidator {
  // Unoptimised code compiles about twice as fast, and these documents are small.
  readonly #ajv = new Ajv({ allErrors: true, verbose: true, strict: false, code: { optimize: false } });
  readonly #compiled = new Map<ConfigKind, ValidateFunction>();
  #definitionsAdded = false;

  validate(raw: unknown, origin: DocumentOrigin): ValidatedDocument {
    const where = { source: origin.source, line: origin.line };
    const fallbackName = `document ${origin.index}`;
    const fail = (path: string, message: string): ValidatedDocument => ({
      issues: [{ severity: 'error', document: fallbackName, path, message, ...where }],
    });
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      return fail(
        '',
        `Invalid value: ${showValue(raw)}: a document must be an object with apiVersion, kind, metadata and spec`,
      );
    }
    // Dubbo's bare rule YAML gets its envelope here; its issues are shown at the paths as written.
    const dubbo = recognizeDubboDocument(raw as Record<string, unknown>);
    if (dubbo && 'error' in dubbo) return fail(dubbo.error.path, dubbo.error.message);
    const bare = dubbo?.bare ?? false;
    const doc = (dubbo?.doc ?? raw) as Record<string, unknown>;
    const { kind, apiVersion } = doc;
    if (typeof kind !== 'string' || kind === '') return fail('kind', 'Required value');
    if (typeof apiVersion !== 'string' || apiVersion === '') return fail('apiVersion', 'Required value');
    const meta = (typeof doc.metadata === 'object' && doc.metadata) || {};
    const name = (meta as { name?: unknown }).name;
    const rawNs = (meta as { namespace?: unknown }).namespace;
    const namespace = typeof rawNs === 'string' && rawNs !== '' ? rawNs : DEFAULT_NAMESPACE;
    const document =
      typeof name === 'string' && name !== '' ? objectKey(kind, namespace, name) : fallbackName;

    // A typo in an Istio kind or group must not pass as "a kind Shoal does not use".
    const { istio, problem } = checkIstioKind(apiVersion, kind);
    if (problem && !(isConfigKind(kind) && kind !== 'Service')) {
      return {
        issues: [{ severity: 'error', document, path: problem.field, message: problem.message, ...where }],
      };
    }
    if (!isConfigKind(kind) || (kind === 'Service' && apiVersion !== 'v1')) {
      const skipped: SkippedDocument = {
        apiVersion,
        kind,
        reason: istio ? `${kind} (${apiVersion}) is not used by Shoal` : 'not an Istio kind that Shoal reads',
        ...(typeof name === 'string' ? { name, namespace } : {}),
      };
      const issues: ConfigIssue[] = istio
        ? [{ severity: 'warning', document, path: 'kind', message: `${skipped.reason}; skipped`, ...where }]
        : [];
      return { skipped, issues };
    }
    const versions = KIND_VERSIONS[kind];
    if (!versions.includes(apiVersion)) {
      return {
        issues: [
          {
            severity: 'error',
            document,
            path: 'apiVersion',
            message: `Unsupported value: ${showValue(apiVersion)}: supported values: ${versions.map((v) => `"${v}"`).join(', ')}`,
            ...where,
          },
        ],
      };
    }

    const c = new IssueCollector();
    const check = this.#schema(kind);
    const schemaErrors = check(doc) ? [] : (check.errors ?? []);
    for (const err of schemaErrors) schemaIssue(c, err);
    // Unknown fields leave the known ones well typed, so the rules can still report their problems.
    let spec = doc.spec ?? {};
    if (schemaErrors.every((e) => e.keyword === 'additionalProperties')) {
      // Dubbo's rule names (`org.apache.dubbo.samples.CommentService::.condition-router`) are not DNS names.
      if (typeof name === 'string' && !isDubboRuleKind(kind) && !isDNS1123Subdomain(name)) {
        c.invalid(
          'metadata.name',
          name,
          "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'",
        );
      }
      if (!isDNS1123Label(namespace))
        c.invalid(
          'metadata.namespace',
          namespace,
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'",
        );
      if (isDubboRuleKind(kind))
        spec = validateDubboRule(c, kind, spec as Record<string, unknown>, name as string);
      else runRules(c, kind, spec, namespace);
    }
    const issues = c.issues.map((i) => ({
      ...i,
      path: bare ? i.path.replace(/^spec\.?/, '') : i.path,
      document,
      ...where,
    }));
    if (c.errorCount > 0) return { issues };
    const m = meta as { labels?: Record<string, string>; annotations?: Record<string, string> };
    const object = {
      apiVersion,
      kind,
      metadata: {
        name: name as string,
        namespace,
        ...(m.labels ? { labels: { ...m.labels } } : {}),
        ...(m.annotations ? { annotations: { ...m.annotations } } : {}),
      },
      spec: structuredClone(spec),
    } as AnyConfigObject;
    return { object, issues };
  }

  #schema(kind: ConfigKind): ValidateFunction {
    let fn = this.#compiled.get(kind);
    if (!fn) {
      if (!this.#definitionsAdded) {
        this.#ajv.addSchema(definitionsSchema());
        this.#definitionsAdded = true;
      }
      fn = this.#ajv.compile(documentSchema(kind));
      this.#compiled.set(kind, fn);
    }
    return fn;
  }
}

function runRules(c: IssueCollector, kind: ConfigKind, spec: unknown, namespace: string): void {
  switch (kind) {
    case 'VirtualService': {
      validateVirtualService(c, spec as VirtualServiceSpec, namespace);
      return;
    }
    case 'DestinationRule': {
      validateDestinationRule(c, spec as DestinationRuleSpec, namespace);
      return;
    }
    case 'ServiceEntry': {
      validateServiceEntry(c, spec as ServiceEntrySpec, namespace);
      return;
    }
    case 'WorkloadEntry': {
      validateWorkloadEntry(c, spec as WorkloadEntrySpec);
      return;
    }
    case 'PeerAuthentication': {
      validatePeerAuthentication(c, spec as PeerAuthenticationSpec);
      return;
    }
    case 'AuthorizationPolicy': {
      validateAuthorizationPolicy(c, spec as AuthorizationPolicySpec);
      return;
    }
    case 'Service': {
      validateKubernetesService(c, spec as never);
      return;
    }
    case 'DubboVirtualService': {
      validateDubboVirtualService(c, spec as DubboVirtualServiceSpec);
      return;
    }
    case 'DubboDestinationRule': {
      validateDestinationRule(c, spec as DestinationRuleSpec, namespace);
      return;
    }
    case 'ConditionRoute':
    case 'TagRoute':
    case 'DynamicConfig':
      return; // validateDubboRule, which also needs the name
  }
}

/** JSON pointer (`/spec/http/0/route`) → field path (`spec.http[0].route`). */
function pointerToPath(pointer: string): string {
  let path = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path = joinPath(path, /^\d+$/.test(seg) ? Number(seg) : seg);
  }
  return path;
}

/** ajv's errors in the words Kubernetes uses for schema violations. */
function schemaIssue(c: IssueCollector, err: ErrorObject): void {
  const path = pointerToPath(err.instancePath);
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'required': {
      c.required(joinPath(path, String(params.missingProperty)));
      return;
    }
    case 'additionalProperties': {
      c.error(joinPath(path, String(params.additionalProperty)), 'Unknown field');
      return;
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => showValue(v)).join(', ');
      c.error(path, `Unsupported value: ${showValue(err.data)}: supported values: ${allowed}`);
      return;
    }
    case 'type': {
      c.invalid(path, err.data, `must be of type ${String(params.type)}`);
      return;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      c.invalid(path, err.data, `must be ${String(params.comparison)} ${String(params.limit)}`);
      return;
    }
    default: {
      c.invalid(path, err.data, err.message ?? err.keyword);
      return;
    }
  }
}
