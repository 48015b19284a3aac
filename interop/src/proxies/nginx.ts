// Test support: nginx with grpc_pass in front of an HTTP/2 backend. nginx 1.22 serves HTTP/2 on a
// plaintext port only with prior knowledge, so it gets two ports: h2c with grpc_pass (gRPC and
// Triple over HTTP/2) and HTTP/1.1 with proxy_pass (Triple's curl-able mode). It runs from a
// temporary prefix (-p, every path inside it), in the foreground, one process, no root paths.
// nginx: ngx_http_grpc_module, ngx_http_v2_module, ngx_http_proxy_module.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Daemon, freePort, tempDir } from '@shoal/testing';

export interface NginxOptions {
  /** The backend's HTTP/2 port (gRPC, Triple over HTTP/2). */
  backendPort: number;
  /** The backend's HTTP/1.1 port; the same as backendPort for a Shoal server. */
  http1BackendPort?: number;
  /** Seconds an HTTP/2 connection may stay idle (http2_idle_timeout; nginx's default is 180). */
  idleTimeout?: number;
}

/** Ports: [h2c with grpc_pass, HTTP/1.1 with proxy_pass]. */
export async function startNginx(options: NginxOptions): Promise<Daemon> {
  const dir = tempDir('nginx');
  const [h2, h1] = [await freePort(), await freePort()];
  const log = join(dir, 'error.log');
  const idle = options.idleTimeout ?? 180;
  const conf = `
daemon off;
master_process off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${log} warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'client_body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  # Messages of any size, streams of any length.
  client_max_body_size 0;
  client_body_timeout 300s;
  http2_idle_timeout ${idle}s;
  http2_recv_timeout ${idle}s;
  upstream h2 { server 127.0.0.1:${options.backendPort}; keepalive 8; }
  upstream h1 { server 127.0.0.1:${options.http1BackendPort ?? options.backendPort}; keepalive 8; }
  server {
    listen 127.0.0.1:${h2} http2;
    location / {
      grpc_pass grpc://h2;
      grpc_read_timeout 300s;
      grpc_send_timeout 300s;
      grpc_socket_keepalive on;
    }
  }
  server {
    listen 127.0.0.1:${h1};
    location / {
      proxy_pass http://h1;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_read_timeout 300s;
    }
  }
}
`;
  const confPath = join(dir, 'nginx.conf');
  writeFileSync(confPath, conf);
  const args = ['-p', dir, '-c', confPath, '-e', log];
  return Daemon.start({ command: 'nginx', args, ports: [h2, h1], dir, log });
}
