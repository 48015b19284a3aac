// Shoal client and server through nghttpx (Debian's nghttp2-proxy), one hop and two.
import { describeBehindProxies } from './proxy-suite.js';

describeBehindProxies('nghttpx', 1);
describeBehindProxies('nghttpx', 2);
