// Child-process entry for the replica tests: one control-plane replica on a shared store, on the
// ports given, until SIGTERM (a clean stop) or SIGKILL (a crash). Prints `ready <xds> <admin>`.
//   node replica-main.js --store etcd://127.0.0.1:2379 --xds-port 15010 --admin-port 15000
//     [--registry zookeeper://127.0.0.1:2181]

import { parseArgs } from 'node:util';
import { ControlPlane } from '../src/index.js';

const { values } = parseArgs({
  options: {
    store: { type: 'string' },
    registry: { type: 'string' },
    prefix: { type: 'string', default: '/shoal' },
    'xds-port': { type: 'string', default: '0' },
    'admin-port': { type: 'string', default: '0' },
    'grace-ms': { type: 'string', default: '10000' },
    'admin-token': { type: 'string' },
  },
});
const cp = new ControlPlane({
  ...(values.store !== undefined && { store: values.store }),
  ...(values.registry !== undefined && { registryUrl: values.registry }),
  storePrefix: values.prefix,
  xdsPort: Number(values['xds-port']),
  adminPort: Number(values['admin-port']),
  leaseGraceMs: Number(values['grace-ms']),
  ...(values['admin-token'] !== undefined && { adminToken: values['admin-token'] }),
  log: (level, message, fields) => {
    if (level !== 'debug') console.error(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  },
});
const { xds, admin } = await cp.start();
console.log(`ready ${xds.host}:${xds.port} ${admin.host}:${admin.port}`);
process.once('SIGTERM', () => void cp.stop(500).then(() => process.exit(0)));
