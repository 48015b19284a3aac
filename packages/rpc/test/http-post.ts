// Test support: one HTTP/1.1 request to a server under test (Triple's HTTP mode, or a method or
// content type it must refuse), on a connection of its own, answered with status, headers and body.

import http from 'node:http';

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function httpPost(
  port: number,
  path: string,
  headers: http.OutgoingHttpHeaders,
  body: string,
  method = 'POST',
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
