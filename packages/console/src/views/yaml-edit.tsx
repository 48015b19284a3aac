// The YAML editor view: edit any Istio object or Dubbo rule as YAML (a new one starts from a
// template of its kind), see validation errors at their field as you type (and listed under the
// editor), preview the diff, apply.

import type { EditorView } from '@codemirror/view';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type Issue, objectYaml, validate } from '../api/config.js';
import { ApplyFlow, IssueList } from '../components/apply-flow.js';
import { ErrorLine } from '../components/widgets.js';
import { TEMPLATES } from '../rules/templates.js';

const NEW_OBJECT = TEMPLATES[0]!.text;

export function YamlEdit({ kind, namespace, name }: { kind?: string; namespace?: string; name?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const text = useRef(NEW_OBJECT);
  const [issues, setIssues] = useState<Issue[]>([]);
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    let dead = false;
    const initial =
      kind && namespace && name ? objectYaml(kind, namespace, name) : Promise.resolve(NEW_OBJECT);
    Promise.all([import('../editor/yaml-editor.js'), initial]).then(
      ([{ createYamlEditor }, doc]) => {
        if (dead || !box.current) return;
        text.current = doc;
        view.current = createYamlEditor(box.current, {
          doc,
          label: `YAML of ${kind ?? 'a new object'} ${name ?? ''}`,
          describedBy: 'editor-keys',
          validate: async (t) => {
            const res = await validate(t);
            const all = [...res.errors, ...res.warnings];
            setIssues(all);
            return all;
          },
          onChange: (t) => (text.current = t),
        });
      },
      (err: Error) => setError(err.message),
    );
    return () => {
      dead = true;
      view.current?.destroy();
      view.current = null;
    };
  }, [kind, namespace, name]);

  return (
    <>
      <h2>{name ? `${kind} ${namespace}/${name}` : 'New object'}</h2>
      {!name && (
        <label class="inline-field">
          Start from{' '}
          <select
            onChange={(e) => {
              const t = TEMPLATES.find((x) => x.kind === e.currentTarget.value);
              const v = view.current;
              if (t && v) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: t.text } });
            }}
          >
            {TEMPLATES.map((t) => (
              <option key={t.kind} value={t.kind}>
                {t.family === 'Dubbo' ? `Dubbo ${t.kind}` : t.kind}
              </option>
            ))}
          </select>
        </label>
      )}
      <ErrorLine error={error} />
      <div ref={box} class="editor" />
      <p id="editor-keys" class="muted">
        Tab indents inside the editor; press Esc, then Tab, to move on.
      </p>
      <IssueList issues={issues} />
      <ApplyFlow input={() => ({ text: text.current })} />
    </>
  );
}
