// Shoal client and server through nginx with grpc_pass (proxy_pass for HTTP/1.1), one hop and two.
import { describeBehindProxies } from './proxy-suite.js';

describeBehindProxies('nginx', 1);
describeBehindProxies('nginx', 2);
