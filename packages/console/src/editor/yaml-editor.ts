// The YAML editor (CodeMirror 6, its own chunk, loaded by the rules view): YAML highlighting, and
// the control plane's validation shown at the field it names, as squiggles with the message
// (Istio's field path and Kubernetes-style message), refreshed as the user types.

import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { yaml } from '@codemirror/lang-yaml';
import { defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { type Diagnostic, forceLinting, linter, lintGutter } from '@codemirror/lint';
import { EditorState, type Text } from '@codemirror/state';
import { EditorView, keymap, lineNumbers } from '@codemirror/view';
import type { Issue } from '../api/config.js';

export interface EditorOptions {
  doc: string;
  label: string;
  /** The id of the text that says how to leave the editor by keyboard (Esc, then Tab). */
  describedBy?: string;
  /** Validates the text; the issues are shown at their line and column. */
  validate(text: string): Promise<Issue[]>;
  onChange(text: string): void;
}

/** The range an issue points at: from its column to the end of the value (a list item: the line). */
export function issueRange(doc: Text, issue: Issue): { from: number; to: number } {
  const lineNo = Math.min(Math.max(issue.line ?? 1, 1), doc.lines);
  const line = doc.line(lineNo);
  const from = Math.min(line.from + Math.max((issue.column ?? 1) - 1, 0), line.to);
  const rest = line.text.slice(from - line.from);
  const token = rest.startsWith('- ')
    ? rest.trimEnd()
    : (/^("[^"]*"|'[^']*'|[^\s,}\]#]+)/.exec(rest)?.[0] ?? rest.trimEnd());
  return { from, to: Math.max(from + token.length, Math.min(from + 1, line.to)) };
}

export function createYamlEditor(parent: HTMLElement, options: EditorOptions): EditorView {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: options.doc,
      extensions: [
        lineNumbers(),
        history(),
        keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
        yaml(),
        syntaxHighlighting(defaultHighlightStyle),
        lintGutter(),
        linter(
          async (v): Promise<Diagnostic[]> => {
            const issues = await options.validate(v.state.doc.toString());
            return issues.map((i) => ({
              ...issueRange(v.state.doc, i),
              severity: i.severity,
              message: `${i.path ? `${i.path}: ` : ''}${i.message}`,
              source: i.document,
            }));
          },
          { delay: 400 },
        ),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) options.onChange(u.state.doc.toString());
        }),
        EditorView.contentAttributes.of({
          'aria-label': options.label,
          ...(options.describedBy ? { 'aria-describedby': options.describedBy } : {}),
        }),
      ],
    }),
  });
  return view;
}

export function setText(view: EditorView, text: string): void {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  forceLinting(view);
}
