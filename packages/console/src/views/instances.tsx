// Instances: every registered endpoint with its version, zone, labels and health, filterable.

import { useState } from 'preact/hooks';
import { listInstances } from '../api/instances.js';
import { registryVersion } from '../api/live.js';
import { useLoad } from '../components/use-load.js';
import { Badge, ErrorLine, Loading, TableHead } from '../components/widgets.js';
import { href } from '../router.js';

export function InstancesView(_: { params: string[] }) {
  const [query, setQuery] = useState('');
  const instances = useLoad(listInstances, [registryVersion.value]);
  const q = query.trim().toLowerCase();
  const shown = (instances.data ?? []).filter(
    (i) =>
      !q || [i.key, i.hostname, i.version, i.zone, ...i.interfaces].some((v) => v.toLowerCase().includes(q)),
  );
  return (
    <>
      <h1>Instances</h1>
      <label class="search">
        Filter by address, service, version, zone or interface{' '}
        <input type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
      </label>
      <ErrorLine error={instances.error} />
      {!instances.data ? (
        <Loading what="instances" />
      ) : (
        <table>
          <caption class="sr-only">Registered instances</caption>
          <TableHead
            columns={['Address', 'Service', 'Version', 'Zone', 'Health', 'Weight', 'Registered by']}
          />
          <tbody>
            {shown.map((i) => (
              <tr key={`${i.hostname}|${i.key}`} data-instance={i.key}>
                <td>{i.key}</td>
                <td>
                  <a href={href('services', i.hostname)}>{i.hostname}</a>
                </td>
                <td>{i.version || '–'}</td>
                <td>{i.zone || '–'}</td>
                <td>
                  <Badge state={i.health} />
                </td>
                <td>{i.weight}</td>
                <td>{i.origin}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="muted">{shown.length} instance(s).</p>
    </>
  );
}
