// Small pieces every view uses: state badges, an error line, a loading line, a unified diff.

import type { ComponentChildren } from 'preact';

export function Badge({ state }: { state: string }) {
  const tone =
    state === 'SYNCED' || state === 'HEALTHY' || state === 'OK'
      ? 'ok'
      : state === 'STALE' || state === 'DRAINING' || state === 'NOT SENT'
        ? 'warn'
        : 'bad';
  return <span class={`badge ${tone}`}>{state}</span>;
}

export function ErrorLine({ error }: { error: string | undefined }) {
  return error ? (
    <p class="error" role="alert">
      {error}
    </p>
  ) : null;
}

export function Loading({ what }: { what: string }) {
  return <p class="muted">Loading {what}…</p>;
}

export function Section({
  title,
  children,
  id,
}: {
  title: string;
  children: ComponentChildren;
  id?: string;
}) {
  return (
    <section class="card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

/** A unified diff with added and removed lines marked (and spoken: + and − stay in the text). */
export function Diff({ patch, label }: { patch: string; label: string }) {
  const lines = patch.split('\n').filter((l) => !l.startsWith('===') && !l.startsWith('Index:'));
  return (
    <pre class="diff" title={label}>
      {lines.map((l, i) => (
        <span
          key={i}
          class={
            l.startsWith('+') && !l.startsWith('+++')
              ? 'add'
              : l.startsWith('-') && !l.startsWith('---')
                ? 'del'
                : l.startsWith('@@')
                  ? 'hunk'
                  : ''
          }
        >
          {l}
          {'\n'}
        </span>
      ))}
    </pre>
  );
}

/** A table's column headers. */
export function TableHead({ columns }: { columns: string[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c) => (
          <th scope="col" key={c}>
            {c}
          </th>
        ))}
      </tr>
    </thead>
  );
}

export const percent = (x: number) => `${(100 * x).toFixed(1)} %`;
export const rate = (x: number) => `${x.toFixed(1)}/s`;
export const ms = (x: number | undefined) => (x === undefined ? '–' : `${x.toFixed(1)} ms`);
export const since = (iso: string) => {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
};
