// The HTTP/1.1 baseline: a JSON echo on plain node:http with JSON.parse and JSON.stringify,
// answering the same body that Shoal's HTTP mode answers for the bench request.

import http from 'node:http';
import { echoPath } from '../payload.js';

function onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    if (req.method !== 'POST' || req.url !== echoPath) {
      res.writeHead(404).end();
      return;
    }
    let request: { text?: string; id?: number; payload?: string };
    try {
      request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"message":"invalid JSON"}');
      return;
    }
    const body = Buffer.from(
      JSON.stringify({ text: request.text, id: request.id, payload: request.payload }),
    );
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.byteLength });
    res.end(body);
  });
}

export function startRawHttp1Server(): Promise<number> {
  const server = http.createServer({ keepAliveTimeout: 30_000 }, onRequest);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}
