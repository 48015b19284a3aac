// The one way config is changed from the console: preview (the control plane validates and
// answers a diff per object, nothing stored), then apply, then the new version. Errors come back
// with their document and field, as Istio reports them.

import { useState } from 'preact/hooks';
import { writeAccess } from '../api/auth.js';
import { apply, type Issue, type ObjectDiff, preview } from '../api/config.js';
import { ApiError } from '../api/http.js';
import { Diff } from './widgets.js';

export type ApplyInput = { text: string } | { objects: unknown[] };

export function IssueList({ issues }: { issues: Issue[] }) {
  if (issues.length === 0) return null;
  return (
    <ul class="problems" aria-label="Validation problems">
      {issues.map((i, n) => (
        <li key={n} class={i.severity}>
          <span class={`badge ${i.severity === 'error' ? 'bad' : 'warn'}`}>{i.severity}</span> {i.document}
          {i.path && (
            <>
              {' '}
              <code>{i.path}</code>
            </>
          )}
          {i.line ? ` (line ${i.line}${i.column ? `:${i.column}` : ''})` : ''}: {i.message}
        </li>
      ))}
    </ul>
  );
}

export function ApplyFlow({ input, disabled }: { input: () => ApplyInput | undefined; disabled?: boolean }) {
  const [diffs, setDiffs] = useState<ObjectDiff[] | undefined>();
  const [pending, setPending] = useState<ApplyInput | undefined>();
  const [issues, setIssues] = useState<Issue[]>([]);
  const [message, setMessage] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const access = writeAccess.value;

  const fail = (err: unknown) => {
    if (err instanceof ApiError) {
      setIssues([...((err.body.errors as Issue[]) ?? []), ...((err.body.warnings as Issue[]) ?? [])]);
      setMessage(err.message);
    } else setMessage(String((err as Error).message ?? err));
  };
  const onPreview = async () => {
    const value = input();
    if (!value) return;
    setBusy(true);
    setMessage(undefined);
    setIssues([]);
    try {
      const res = await preview(value);
      setDiffs(res.changes);
      setPending(value);
      setIssues(res.warnings);
      if (res.changes.length === 0) setMessage('Nothing would change: the stored config is already this.');
    } catch (err) {
      setDiffs(undefined);
      fail(err);
    } finally {
      setBusy(false);
    }
  };
  const onApply = async () => {
    if (!pending) return;
    setBusy(true);
    try {
      const res = await apply(pending);
      setMessage(`Applied: config version ${res.version}.`);
      setDiffs(undefined);
      setPending(undefined);
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="apply-flow">
      <div class="buttons">
        <button type="button" onClick={onPreview} disabled={busy || disabled}>
          Preview changes
        </button>
        <button
          type="button"
          class="primary"
          onClick={onApply}
          disabled={busy || !pending || !diffs?.length || !access.canWrite}
        >
          Apply
        </button>
        {!access.canWrite && <span class="muted">{access.why}</span>}
      </div>
      <p role="status" class="message">
        {message}
      </p>
      <IssueList issues={issues} />
      {diffs?.map((d) => (
        <div key={`${d.kind}/${d.namespace}/${d.name}`}>
          <h3>
            {d.type} {d.kind} {d.namespace}/{d.name}
          </h3>
          <Diff patch={d.patch} label={`Changes to ${d.kind} ${d.name}`} />
        </div>
      ))}
    </div>
  );
}
