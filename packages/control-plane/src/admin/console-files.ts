// The web console's built files (packages/console, built by Vite), served as static files on the
// admin port: `/` is its index.html and `/assets/*` its hashed scripts and styles. The control plane
// does not import the console; it is told the folder (ControlPlaneOptions.consoleDir).

import { readFile, stat } from 'node:fs/promises';
import type http from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { HttpError, sendText } from './http-json.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

// Everything the console needs is in the build: no script, style or connection leaves this origin.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Shoal console</title>
<p>The Shoal console is not built. Run <code>npm run build</code> at the repository root, then reload.
The admin API answers under <a href="/api/status">/api/status</a>.</p>`;

export class ConsoleFiles {
  private readonly root: string | undefined;

  constructor(root: string | undefined) {
    this.root = root ? normalize(root) : undefined;
  }

  /** True when `path` is one the console answers (`/`, `/index.html`, `/assets/…`, `/favicon.svg`). */
  static owns(pathname: string): boolean {
    return (
      pathname === '/' ||
      pathname === '/index.html' ||
      pathname.startsWith('/assets/') ||
      /^\/[\w.-]+\.(svg|ico|png)$/.test(pathname)
    );
  }

  async serve(pathname: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname.slice(1));
    if (!this.root) {
      if (relative === 'index.html') return sendText(res, 200, NOT_BUILT, 'text/html');
      throw new HttpError(404, `no such file: ${pathname} (the console is not configured)`);
    }
    const file = normalize(join(this.root, relative));
    if (!file.startsWith(this.root + sep)) throw new HttpError(404, `no such file: ${pathname}`);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) {
      if (relative === 'index.html') return sendText(res, 200, NOT_BUILT, 'text/html');
      throw new HttpError(404, `no such file: ${pathname}`);
    }
    const body = await readFile(file);
    // Vite names assets by content hash: they never change. index.html must be re-read every time.
    const cache = relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': body.length,
      'cache-control': cache,
      ...SECURITY_HEADERS,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }
}
