// Instances: every endpoint with its version, zone, labels and the health clients are sent,
// filterable; each can be taken out of service and put back (instance-actions.tsx).

import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { listInstances } from '../api/instances.js';
import { registryVersion } from '../api/live.js';
import { useLoad } from '../components/use-load.js';
import { Badge, ErrorLine, Loading, TableHead } from '../components/widgets.js';
import { href } from '../router.js';
import { DisableForm, InstanceAction, OutOfService } from './instance-actions.js';

const COLUMNS = ['Address', 'Service', 'Version', 'Zone', 'Health', 'Weight', 'Registered by', 'Action'];

export function InstancesView(_: { params: string[] }) {
  const [query, setQuery] = useState('');
  const [editing, setEditing] = useState<string | null>(null);
  const instances = useLoad(listInstances, [registryVersion.value]);
  const q = query.trim().toLowerCase();
  const shown = (instances.data ?? []).filter(
    (i) =>
      !q ||
      [i.address, i.hostname, i.version, i.zone, ...i.interfaces].some((v) => v.toLowerCase().includes(q)),
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
          <caption class="sr-only">Instances</caption>
          <TableHead columns={COLUMNS} />
          <tbody>
            {shown.map((i) => {
              const id = `${i.hostname}|${i.address}`;
              return (
                <Fragment key={id}>
                  <tr data-instance={i.address}>
                    <td>{i.address}</td>
                    <td>
                      <a href={href('services', i.hostname)}>{i.hostname}</a>
                    </td>
                    <td>{i.version || '–'}</td>
                    <td>{i.zone || '–'}</td>
                    <td>
                      <Badge state={i.health} /> <OutOfService instance={i} />
                    </td>
                    <td>{i.weight}</td>
                    <td>{i.origin}</td>
                    <td>
                      <InstanceAction
                        instance={i}
                        editing={editing === id}
                        onEdit={(open) => setEditing(open ? id : null)}
                        onDone={instances.reload}
                      />
                    </td>
                  </tr>
                  {editing === id && !i.disabled ? (
                    <tr class="editing">
                      <td colSpan={COLUMNS.length}>
                        <DisableForm
                          instance={i}
                          onClose={() => setEditing(null)}
                          onDone={instances.reload}
                        />
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      )}
      <p class="muted">{shown.length} instance(s).</p>
    </>
  );
}
