// Config history: every version applied since the control plane started, what it changed (as a
// diff), and a one-click rollback to any kept version.

import { useState } from 'preact/hooks';
import { writeAccess } from '../api/auth.js';
import { historyEntry, listHistory, rollback } from '../api/history.js';
import { lastChange } from '../api/live.js';
import { useLoad } from '../components/use-load.js';
import { Diff, ErrorLine, Loading, TableHead } from '../components/widgets.js';

export function HistoryView() {
  const list = useLoad(listHistory, [lastChange.value?.version]);
  const [open, setOpen] = useState<number | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const entry = useLoad(() => (open === undefined ? Promise.resolve(undefined) : historyEntry(open)), [open]);
  const access = writeAccess.value;
  const back = async (version: number) => {
    try {
      const res = await rollback(version);
      setMessage(`Rolled back to version ${res.rolledBackTo}: now version ${res.version}.`);
    } catch (err) {
      setMessage((err as Error).message);
    }
  };
  return (
    <>
      <h2>History</h2>
      <p role="status">{message}</p>
      <ErrorLine error={list.error} />
      {!list.data ? (
        <Loading what="the history" />
      ) : (
        <table>
          <caption class="sr-only">Config versions, newest first</caption>
          <TableHead columns={['Version', 'When', 'By', 'Changes', 'Actions']} />
          <tbody>
            {list.data.items.map((h) => (
              <tr key={h.version}>
                <td>{h.version === list.data!.current ? `${h.version} (current)` : h.version}</td>
                <td>{new Date(h.at).toLocaleTimeString()}</td>
                <td>{h.source ?? '–'}</td>
                <td>{h.changes.map((c) => `${c.type} ${c.kind}/${c.name}`).join(', ')}</td>
                <td>
                  <button
                    type="button"
                    onClick={() => setOpen(open === h.version ? undefined : h.version)}
                    aria-expanded={open === h.version}
                  >
                    Diff of v{h.version}
                  </button>{' '}
                  {h.canRollBack && (
                    <button type="button" disabled={!access.canWrite} onClick={() => back(h.version)}>
                      Roll back to v{h.version}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open !== undefined && entry.data && (
        <div>
          <h3>What version {open} changed</h3>
          {entry.data.changes.map((c) => (
            <Diff
              key={`${c.kind}${c.name}`}
              patch={c.patch}
              label={`Diff of ${c.kind} ${c.name} in version ${open}`}
            />
          ))}
        </div>
      )}
    </>
  );
}
