// Admin API endpoints of the CA and its tokens: `shoal token create|list|revoke`, `shoal ca root`
// and `shoal proxy-config secret`. Documented in ../../ADMIN-API.md ("Identity").

import type { CertificateSummary } from '@shoal/xds/plugins';
import type { CertificateAuthority } from '../ca/certificate-authority.js';
import type { IssuedCertificates } from '../ca/issued-certificates.js';
import type { TokenStore } from '../ca/token-store.js';
import { parseDurationNanos } from '../config/durations.js';
import type { AdsServer } from '../xds-server/ads-server.js';
import type { AdminHandler } from './admin-server.js';
import type {
  CaRootAnswer,
  CertificateView,
  SecretsAnswer,
  TokenCreatedAnswer,
  TokenListAnswer,
  TokenRevokedAnswer,
} from './api/security.js';
import { HttpError, readBody, sendJson, sendText } from './http-json.js';

export interface SecurityEndpointsOptions {
  readonly tokens: TokenStore;
  readonly issued: IssuedCertificates;
  readonly ca: () => CertificateAuthority | undefined;
  readonly ads: AdsServer;
}

export function securityEndpoints(o: SecurityEndpointsOptions): Record<string, AdminHandler> {
  const ca = () => o.ca() ?? fail(503, 'the CA is not ready yet');
  return {
    'POST /api/tokens': async ({ req, res }) => {
      const body = parseJson(await readBody(req, 64 * 1024));
      const namespace = stringField(body, 'namespace');
      const serviceAccount = stringField(body, 'serviceAccount');
      let ttlMs: number | undefined;
      if (body.ttl !== undefined) {
        const nanos = typeof body.ttl === 'string' ? parseDurationNanos(body.ttl) : 'must be a string';
        if (typeof nanos === 'string' || nanos <= 0)
          fail(400, `ttl: ${typeof nanos === 'string' ? nanos : 'must be positive'}`);
        ttlMs = nanos / 1e6;
      }
      try {
        const { token, record } = o.tokens.create({
          namespace,
          serviceAccount,
          ...(ttlMs !== undefined && { ttlMs }),
        });
        await saved(o.tokens);
        sendJson(res, 200, { token, ...record } satisfies TokenCreatedAnswer);
      } catch (err) {
        if (err instanceof HttpError) throw err;
        fail(400, (err as Error).message);
      }
    },
    'GET /api/tokens': ({ res }) => sendJson(res, 200, { items: o.tokens.list() } satisfies TokenListAnswer),
    'DELETE /api/tokens': async ({ res, parts }) => {
      const id = parts[2] ?? fail(400, 'DELETE needs /api/tokens/ID');
      if (!o.tokens.revoke(id)) fail(404, `token ${id} not found`);
      await saved(o.tokens);
      sendJson(res, 200, { revoked: id } satisfies TokenRevokedAnswer);
    },
    'GET /api/ca': ({ res, parts, url }) => {
      if (parts[2] !== 'root') fail(404, `no such endpoint: GET ${url.pathname}`);
      const authority = ca();
      if (url.searchParams.get('output') === 'pem')
        return sendText(res, 200, authority.rootPem, 'application/x-pem-file');
      sendJson(res, 200, {
        trustDomain: authority.trustDomain,
        source: authority.source,
        root: authority.rootPem,
        ...view(authority.root),
      } satisfies CaRootAnswer);
    },
    'GET /debug/secrets': ({ res, url }) => {
      const proxy = url.searchParams.get('proxy') ?? fail(400, 'secrets needs ?proxy=NODE_ID');
      const authority = ca();
      const issued = o.issued.get(proxy);
      const connected = o.ads.clients().some((c) => c.nodeId === proxy);
      if (!issued && !connected) fail(404, `no client "${proxy}" is connected, and the CA issued it nothing`);
      sendJson(res, 200, {
        proxy,
        trustDomain: authority.trustDomain,
        root: view(authority.root),
        ...(issued && {
          certificate: {
            identity: issued.identity,
            authenticatedBy: issued.authenticatedBy,
            issuedAt: issued.issuedAt,
            ...view(issued.certificate),
          },
        }),
      } satisfies SecretsAnswer);
    },
  };
}

function view(c: CertificateSummary): CertificateView {
  return {
    serialNumber: c.serialNumber,
    subject: c.subject,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    uriSans: c.uriSans,
    dnsSans: c.dnsSans,
  };
}

/** Waits until the store every replica reads has the change; 503 when it could not be written. */
async function saved(tokens: TokenStore): Promise<void> {
  try {
    await tokens.saved();
  } catch (err) {
    fail(503, (err as Error).message);
  }
}

function fail(status: number, message: string): never {
  throw new HttpError(status, message);
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // answered below
  }
  return fail(400, 'the body must be a JSON object');
}

function stringField(body: Record<string, unknown>, key: string): string {
  const v = body[key];
  if (typeof v !== 'string' || v === '') fail(400, `${key} is required (a string)`);
  return v;
}
