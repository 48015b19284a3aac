// Istio config through the admin API: list and read objects, validate text, preview an apply as
// diffs, apply, delete.

import type { ConfigIssue as Issue, ObjectDiff } from '@shoal/control-plane/admin-api';
import { get, request } from './http.js';

export interface ConfigObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
  };
  spec: Record<string, unknown>;
}

/** A validation problem at its document and field, and a change as a diff: the admin API's own types. */
export type { ConfigIssue as Issue, ObjectDiff } from '@shoal/control-plane/admin-api';

export const listConfig = (kind?: string) =>
  get<{ items: ConfigObject[] }>(kind ? `/api/config/${kind}` : '/api/config').then((r) => r.items);

export async function objectYaml(kind: string, namespace: string, name: string): Promise<string> {
  const res = await fetch(`/api/config/${kind}/${namespace}/${name}?output=yaml`);
  if (!res.ok) throw new Error(`${kind} ${namespace}/${name}: ${res.status} ${res.statusText}`);
  return res.text();
}

export const validate = (text: string) =>
  request<{ valid: boolean; errors: Issue[]; warnings: Issue[] }>('POST', '/api/validate', {
    text,
    query: { source: 'console' },
  });

type Input = { text: string } | { objects: unknown[] };
const body = (input: Input) => ('text' in input ? { text: input.text } : { body: input.objects });

export const preview = (input: Input) =>
  request<{ version: number; changes: ObjectDiff[]; warnings: Issue[] }>('POST', '/api/apply', {
    ...body(input),
    query: { dryRun: 'true', source: 'console' },
  });

export const apply = (input: Input, source = 'console') =>
  request<{ version: number; changes: Omit<ObjectDiff, 'patch'>[]; warnings: Issue[] }>(
    'POST',
    '/api/apply',
    {
      ...body(input),
      query: { source },
    },
  );

export const deleteObject = (kind: string, namespace: string, name: string) =>
  request<{ version: number }>('DELETE', `/api/config/${kind}/${namespace}/${name}`);
