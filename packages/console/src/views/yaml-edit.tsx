// The YAML editor view: edit any Istio object as YAML, see validation errors at their field as you
// type (and listed under the editor), preview the diff, apply.

import type { EditorView } from '@codemirror/view';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type Issue, objectYaml, validate } from '../api/config.js';
import { ApplyFlow, IssueList } from '../components/apply-flow.js';
import { ErrorLine } from '../components/widgets.js';

const NEW_OBJECT = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: my-route
  namespace: default
spec:
  hosts:
    - greeter
  http:
    - route:
        - destination:
            host: greeter
`;

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
      <ErrorLine error={error} />
      <div ref={box} class="editor" />
      <IssueList issues={issues} />
      <ApplyFlow input={() => ({ text: text.current })} />
    </>
  );
}
