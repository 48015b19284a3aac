// The admin API's config endpoints (ADMIN-API.md, "Config"): apply, validate, get and delete
// Istio config in the store.

import type { AnyConfigObject, ConfigKind } from '../../config/config-object.js';
import type { ChangeType } from '../../config/config-store.js';
import type { SkippedDocument } from '../../config/config-validator.js';
import type { ConfigIssue } from '../../config/issues.js';
import type { ObjectDiff } from '../config-diff.js';
import type { ErrorAnswer } from './errors.js';

export type { AnyConfigObject, ChangeType, ConfigIssue, ConfigKind, ObjectDiff, SkippedDocument };

/** One object an apply added, updated or deleted. */
export interface AppliedChange {
  type: ChangeType;
  kind: ConfigKind;
  namespace: string;
  name: string;
}

/** `POST /api/apply[?source=NAME][&dryRun=true]`, body YAML or JSON: 200. */
export interface ApplyAnswer {
  /** The store's version after the apply (with dryRun: as it is, nothing changed). */
  version: number;
  dryRun?: true;
  /** Empty when everything applied was already there unchanged; with dryRun, each with its diff. */
  changes: (AppliedChange | ObjectDiff)[];
  /** Issues with their line and column in the body where the field is found. */
  warnings: ConfigIssue[];
  skipped: SkippedDocument[];
}

/** `POST /api/apply`: 400, nothing changed; every problem at once. */
export interface ApplyRejectedAnswer extends ErrorAnswer {
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

/** `POST /api/validate[?source=NAME]`: 200; nothing is stored. */
export interface ValidateAnswer {
  valid: boolean;
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
  skipped: SkippedDocument[];
  objects: { kind: ConfigKind; namespace: string; name: string }[];
}

/** `GET /api/config[/KIND[/NAMESPACE]]` (or `?kind=&namespace=&name=`): 200. */
export interface ConfigListAnswer {
  items: AnyConfigObject[];
}

/** `GET /api/config/KIND/NAMESPACE/NAME`: 200, the object itself. */
export type ConfigObjectAnswer = AnyConfigObject;

/** `DELETE /api/config/KIND/NAMESPACE/NAME`: 200. */
export interface DeleteAnswer {
  deleted: { kind: ConfigKind; namespace: string; name: string };
  /** The store's version after the delete. */
  version: number;
}
