// `shoal proxy-config secret CLIENT`: a client's workload certificate and root, as `istioctl
// proxy-config secret` shows a proxy's: the newest certificate Shoal's CA issued to that client
// (requests name their node id), else the one it presented on its xDS connection (mTLS), and
// the CA's root.

import type { ClientStatus, SecretsAnswer } from '@shoal/control-plane/admin-api';
import type { AdminClient } from '../admin-client.js';
import { type OutputFormat, printData } from '../output/print.js';
import { renderTable } from '../output/table.js';

export async function printSecrets(
  admin: AdminClient,
  nodeId: string,
  format: OutputFormat,
  status: Pick<ClientStatus, 'transport'> | undefined,
): Promise<void> {
  const answer = await admin.ok<SecretsAnswer>('GET', `/debug/secrets?proxy=${encodeURIComponent(nodeId)}`);
  const presented = status?.transport?.security === 'mTLS' ? status.transport : undefined;
  const data = { ...answer, ...(presented && { xdsConnection: presented }) };
  printData(data, format, () => {
    const now = Date.now();
    const valid = (c: { notBefore?: string; notAfter: string }) =>
      String(Date.parse(c.notAfter) > now && (c.notBefore === undefined || Date.parse(c.notBefore) <= now));
    const rows: string[][] = [];
    const cert = answer.certificate;
    if (cert)
      rows.push([
        'default',
        'Cert Chain',
        cert.uriSans?.[0] ?? '',
        'ACTIVE',
        valid(cert),
        cert.serialNumber,
        cert.notAfter,
        cert.notBefore ?? '',
      ]);
    else if (presented?.serialNumber)
      rows.push([
        'default',
        'Cert Chain (seen on xDS)',
        presented.identity ?? '',
        'ACTIVE',
        valid({ notAfter: presented.notAfter! }),
        presented.serialNumber,
        presented.notAfter ?? '',
        '',
      ]);
    const root = answer.root;
    rows.push([
      'ROOTCA',
      'CA',
      root.subject,
      'ACTIVE',
      valid(root),
      root.serialNumber,
      root.notAfter,
      root.notBefore ?? '',
    ]);
    const table = renderTable(
      [
        'RESOURCE NAME',
        'TYPE',
        'IDENTITY',
        'STATUS',
        'VALID CERT',
        'SERIAL NUMBER',
        'NOT AFTER',
        'NOT BEFORE',
      ],
      rows,
    );
    const notes = [
      cert
        ? `issued by this control plane's CA (${cert.authenticatedBy}) at ${cert.issuedAt}`
        : `this control plane's CA issued ${nodeId} no certificate`,
      `xDS connection: ${presented ? `mTLS as ${presented.identity}` : status ? 'plaintext' : 'not connected'}`,
    ];
    return `${table}\n\n${notes.join('\n')}`;
  });
}
