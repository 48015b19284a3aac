// Dubbo's URLs as ZooKeeper holds them: a node name is the whole URL form-encoded (Java's
// URLEncoder), `tri://10.0.0.5:50052/org.apache.dubbo.samples.UserService?application=shop-user&...`.
// Dubbo: URL.encode / URL.decode (URLEncoder, UTF-8), URL.toFullString, URLStrParser.

export interface DubboUrl {
  readonly protocol: string;
  readonly host: string;
  readonly port: number;
  /** The path: the interface (or `group/interface`). */
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
}

/** Java's URLEncoder: form encoding (space as `+`; `*`, `-`, `.`, `_` kept). */
export function encodeDubbo(text: string): string {
  return encodeURIComponent(text)
    .replace(/%20/g, '+')
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function decodeDubbo(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, ' '));
}

/** Parses `protocol://[user:pass@]host:port/path?k=v&k2=v2`; undefined when it is not one. */
export function parseDubboUrl(text: string): DubboUrl | undefined {
  const m =
    /^([A-Za-z][\w+.-]*):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/?]*)(?::(\d+))?(?:\/([^?]*))?(?:\?(.*))?$/s.exec(
      text,
    );
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const pair of (m[5] ?? '').split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (key !== '') params[key] = eq < 0 ? '' : pair.slice(eq + 1);
  }
  const host = m[2]!.startsWith('[') ? m[2]!.slice(1, -1) : m[2]!;
  return { protocol: m[1]!, host, port: m[3] ? Number(m[3]) : 0, path: m[4] ?? '', params };
}

/** The URL's text, parameters sorted by name (as Dubbo's URLParam keeps them). */
export function formatDubboUrl(url: DubboUrl): string {
  const host = url.host.includes(':') ? `[${url.host}]` : url.host;
  const params = Object.keys(url.params)
    .sort()
    .map((k) => `${k}=${url.params[k]}`)
    .join('&');
  return `${url.protocol}://${host}:${url.port}/${url.path}${params ? `?${params}` : ''}`;
}
