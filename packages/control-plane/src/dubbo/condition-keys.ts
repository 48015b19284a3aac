// What the keys of a Dubbo condition name, on each side of `=>`, in Shoal's terms.
// Request side (Dubbo: the consumer URL and the invocation): `method`, `arguments[N]`,
// `attachments[k]`, `interface`, `version`, `group` come from the call; every other key is a
// parameter of the consumer (`application`, `host`, or one of its labels).
// Provider side (Dubbo: the provider URL): `host`, `port`, `address`, `application`, `protocol`,
// and the provider's labels (`region` and `zone` fall back to its locality).
// Dubbo: ConditionMatcherFactory implementations (argument, attachment, param), URL.toOriginalMap.

/** A request-side key, classified. */
export type RequestKey =
  | { kind: 'method' }
  | { kind: 'interface' }
  /** The call's `tri-service-version` / `tri-service-group` header. */
  | { kind: 'header'; header: string }
  /** Dubbo's argument N: Shoal's request message field number N + 1 (see argumentHeader). */
  | { kind: 'argument'; index: number }
  /** A parameter of the consumer, known when its routes are built. */
  | { kind: 'consumer'; param: string };

const ARGUMENT = /^arguments\[(\d+)\]$/;
const ATTACHMENT = /^attachments\[(.+)\]$/;

/** The key's meaning, or why it cannot be read. */
export function classifyRequestKey(key: string): RequestKey | { problem: string } {
  if (key === 'method' || key === 'methods') return { kind: 'method' };
  if (key === 'interface' || key === 'path') return { kind: 'interface' };
  if (key === 'version') return { kind: 'header', header: 'tri-service-version' };
  if (key === 'group') return { kind: 'header', header: 'tri-service-group' };
  if (key.startsWith('arguments')) {
    const m = ARGUMENT.exec(key);
    if (!m)
      return {
        problem: `${JSON.stringify(key)}: write arguments[N], N the argument's index from 0 (the request message's field number N+1)`,
      };
    return { kind: 'argument', index: Number(m[1]) };
  }
  if (key.startsWith('attachments')) {
    const m = ATTACHMENT.exec(key);
    if (!m) return { problem: `${JSON.stringify(key)}: write attachments[name], name a request header` };
    return { kind: 'header', header: m[1]!.toLowerCase() };
  }
  return { kind: 'consumer', param: key };
}

/** A provider-side key that names a request, which Dubbo never finds on a provider. */
export function providerKeyProblem(key: string): string | undefined {
  if (key.startsWith('arguments') || key.startsWith('attachments'))
    return `${JSON.stringify(key)} describes the request: it belongs left of "=>"`;
  if (key === 'method' || key === 'methods') return '"method" describes the request: it belongs left of "=>"';
  return undefined;
}
